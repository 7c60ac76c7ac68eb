import re

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError

import banhao.registry.api as registry_api
from banhao.core.identifiers import normalize_resident_id

from . import throttle


class LoginForm(forms.Form):
    """Staff sign in with their account name; applicants with their mobile number."""

    username = forms.CharField(
        label="账号或手机号",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        username = self.cleaned_data.get("username", "").strip()
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        ip = self.request.META.get("REMOTE_ADDR") if self.request else None
        if throttle.is_locked(username, ip):
            raise ValidationError(throttle.lock_message(), code="locked")
        user = authenticate(self.request, username=username, password=password)
        throttle.record(username, ip, success=user is not None)
        if user is None:
            if throttle.is_locked(username, ip):
                raise ValidationError(throttle.lock_message(), code="locked")
            raise ValidationError("账号或密码不正确。", code="invalid_login")
        if not user.is_active:
            raise ValidationError("该账号已停用，请联系管理员。", code="inactive")
        self.user = user
        return self.cleaned_data


# --- applicants: registration, SMS sign-in, profile -------------------------------------


class MobileField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "手机号码")
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        return registry_api.normalize_mobile(value, required=self.required)


class SmsCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "短信验证码")
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("error_messages", {"required": "请填写短信验证码。"})
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"})
        return attrs

    def clean(self, value):
        value = re.sub(r"\s", "", super().clean(value) or "")
        if not re.fullmatch(r"\d{6}", value):
            raise ValidationError("验证码为6位数字。", code="code_format")
        return value


class ResidentIdField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "公民身份号码")
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("help_text", "18位，最后一位可为X。")
        kwargs.setdefault("error_messages", {"required": "请填写公民身份号码。"})
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "spellcheck": "false"})
        return attrs

    def clean(self, value):
        return normalize_resident_id(super().clean(value))


class PhoneForm(forms.Form):
    """Step 1 of registration, SMS sign-in and a change of mobile: the number to text."""

    phone = MobileField(error_messages={"required": "请填写手机号码。"})

    def __init__(self, *args, label: str = "手机号码", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = label


class SmsCodeForm(forms.Form):
    code = SmsCodeField()


def _password_help() -> str:
    texts = [t.rstrip("。.") for t in password_validation.password_validators_help_texts()]
    return "；".join(texts) + "。" if texts else ""


class RegisterForm(forms.Form):
    """Step 2 of registration; the phone comes from step 1 (kept in the session)."""

    name = forms.CharField(
        label="姓名",
        max_length=50,
        error_messages={"required": "请填写姓名。"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    resident_id = ResidentIdField()
    password1 = forms.CharField(
        label="设置登录密码",
        strip=False,
        error_messages={"required": "请设置登录密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="再次输入密码",
        strip=False,
        error_messages={"required": "请再次输入密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    code = SmsCodeField()

    def __init__(self, *args, phone: str = "", **kwargs):
        self.phone = phone
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = _password_help()

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        elif p1:
            user_model = get_user_model()
            probe = user_model(
                username=self.phone, display_name=data.get("name", ""), phone=self.phone
            )  # for the similarity rule
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as e:
                self.add_error("password1", e)
        return data


class AddressForm(forms.Form):
    address = forms.CharField(
        label="联系地址",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def clean_address(self):
        return " ".join(self.cleaned_data["address"].split())
