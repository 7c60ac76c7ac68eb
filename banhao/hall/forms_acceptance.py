"""Forms of the comprehensive window (前台综合受理) and the pickup window (统一出件).

The application itself (situations, fields, materials) is drawn from the item's standard text
by banhao.hall.acceptance_form (window_page / window_validate); these are the fixed parts: who applies,
and who collects a result.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from banhao.core.identifiers import normalize_resident_id, normalize_uscc
from banhao.registry.api import (
    ApplicantIdentity,
    normalize_mobile,
    organization_by_credit_code,
    person_by_resident_id,
    person_ensure_at_window,
)

ID_ATTRS = {"autocomplete": "off", "spellcheck": "false", "maxlength": "18"}


class ApplicantForm(forms.Form):
    """The applicant at the window: the ID card the clerk checked, and for an enterprise item
    the unit's credit code (a unit already in the registry)."""

    resident_id = forms.CharField(
        label="身份证号码",
        max_length=30,
        help_text="核验办事人的居民身份证后录入（18位，末位可为X）。",
        widget=forms.TextInput(attrs=ID_ATTRS),
    )
    name = forms.CharField(
        label="姓名",
        max_length=50,
        required=False,
        help_text="基础信息库中已有的，按库中信息自动填写；没有的，填写后现场登记。",
    )
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    credit_code = forms.CharField(
        label="统一社会信用代码（以单位名义申请时填写）",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs=ID_ATTRS),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")  # ids match the error summary's links
        super().__init__(*args, **kwargs)

    def clean_resident_id(self):
        return normalize_resident_id(self.cleaned_data["resident_id"])

    def clean_name(self):
        return " ".join((self.cleaned_data.get("name") or "").split())

    def clean_phone(self):
        return normalize_mobile(self.cleaned_data.get("phone") or "")

    def clean_credit_code(self):
        value = self.cleaned_data.get("credit_code") or ""
        if not value.strip():
            return None
        code = normalize_uscc(value)
        org = organization_by_credit_code(code)
        if org is None:
            raise ValidationError(
                "基础信息库中没有该统一社会信用代码的单位，请先办理单位信息登记，或以个人名义申请。"
            )
        return org

    def identity(self, *, actor=None, register: bool = False) -> ApplicantIdentity | None:
        """The registry's applicant (None when not registered and ``register`` is off); with
        ``register`` an unknown person is registered on the spot (the clerk checked the card).
        Adds the form's errors and returns None when that fails."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        person = person_by_resident_id(data["resident_id"])
        if person is None and register:
            if not data["name"]:
                self.add_error("name", "基础信息库中没有此人，请填写姓名以现场登记。")
                return None
            try:
                person = person_ensure_at_window(
                    actor=actor, name=data["name"], resident_id=data["resident_id"], phone=data["phone"]
                )
            except ValidationError as exc:
                messages = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for key, texts in messages.items():
                    self.add_error(key if key in self.fields else None, texts)
                return None
        if person is None:
            return None
        return ApplicantIdentity(person=person, organization=data["credit_code"])


class HandoverForm(forms.Form):
    """Who collects the result: the applicant, or an agent with the applicant's authorisation."""

    relation = forms.ChoiceField(
        label="领取人身份",
        choices=[("self", "本人"), ("agent", "受托代领人")],
        widget=forms.RadioSelect,
        initial="self",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    resident_id = forms.CharField(
        label="领取人身份证号码",
        max_length=30,
        help_text="核验领取人的居民身份证后录入：本人领取须与申请人一致。",
        widget=forms.TextInput(attrs=ID_ATTRS),
    )
    name = forms.CharField(label="代领人姓名", max_length=50, required=False)
    note = forms.CharField(
        label="委托说明",
        max_length=200,
        required=False,
        help_text="代领时填写，如：持申请人签字的授权委托书及申请人身份证复印件。",
    )
