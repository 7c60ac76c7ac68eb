from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError

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
