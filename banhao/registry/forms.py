"""Edge validation: bad identifiers are refused here with a Chinese message, before any write."""

from django import forms
from django.core.exceptions import ValidationError

from banhao.core.identifiers import normalize_resident_id, normalize_uscc

from .models import Organization
from .services import normalize_mobile


class ResidentIdField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "公民身份号码")
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("help_text", "18位，最后一位可为X。")
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "inputmode": "text", "spellcheck": "false"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        return normalize_resident_id(value) if value else value


class CreditCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "统一社会信用代码")
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("help_text", "18位，由数字和大写字母组成（不含I、O、Z、S、V）。")
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "spellcheck": "false"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        return normalize_uscc(value) if value else value


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
        return normalize_mobile(value, required=self.required)


class PersonCreateForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    resident_id = ResidentIdField()
    phone = MobileField(required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)


class PersonEditForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    phone = MobileField(required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)
    reason = forms.CharField(label="修改事由", max_length=200, help_text="将记入审计日志。")


class OrganizationCreateForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    credit_code = CreditCodeField()
    kind = forms.ChoiceField(
        label="主体类型",
        choices=[("", "按信用代码自动判断"), *list(Organization.Kind.choices)],
        required=False,
    )
    legal_representative = forms.CharField(label="法定代表人（负责人）", max_length=50)
    legal_representative_id = ResidentIdField(label="法定代表人身份号码", required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="住所", max_length=200, required=False)


class OrganizationEditForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    legal_representative = forms.CharField(label="法定代表人（负责人）", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="住所", max_length=200, required=False)
    reason = forms.CharField(label="修改事由", max_length=200, help_text="将记入审计日志。")


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form (per field where it names one)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
