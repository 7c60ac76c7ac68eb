"""The forms of the ticket kiosk and the 24-hour self-service area.

They only collect what was typed: the formats are checked by the services (banhao.hall.services
and banhao.cases.api), whose Chinese messages are shown on the form.
"""

from __future__ import annotations

from django import forms

# Kiosk fields never autocomplete: the next person must not see the previous one's numbers.
_OFF = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class _KioskForm(forms.Form):
    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str):
                data[name] = "".join(value.split())
        return data


class IdentifyForm(_KioskForm):
    """刷身份证（the reader types the number into the first field）or a mobile number."""

    resident_id = forms.CharField(
        label="身份证号码",
        required=False,
        max_length=32,
        widget=forms.TextInput(
            attrs={**_OFF, "class": "kk-input", "autofocus": True, "data-kk-field": "resident_id"}
        ),
    )
    phone = forms.CharField(
        label="手机号码",
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={
                **_OFF,
                "class": "kk-input",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "data-kk-field": "phone",
            }
        ),
    )

    def clean(self):
        data = super().clean()
        if not data.get("resident_id") and not data.get("phone"):
            raise forms.ValidationError("请刷身份证、输入身份证号码或手机号码后取号。")
        return data


class CheckInForm(_KioskForm):
    code = forms.CharField(
        label="预约码",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={**_OFF, "class": "kk-input", "autofocus": True}),
    )
    resident_id = forms.CharField(
        label="身份证号码",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={**_OFF, "class": "kk-input"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("resident_id"):
            raise forms.ValidationError("请输入预约码或身份证号码。")
        return data


class GuideSearchForm(forms.Form):
    q = forms.CharField(
        label="事项名称或关键词",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={**_OFF, "class": "kk-input", "type": "search", "autofocus": True}),
    )


class LookupForm(_KioskForm):
    number = forms.CharField(
        label="办件编号",
        max_length=32,
        help_text="受理通知书或短信中的办件编号",
        widget=forms.TextInput(attrs={**_OFF, "class": "kk-input", "autofocus": True}),
    )
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        help_text="申请时预留的联系电话",
        widget=forms.TextInput(attrs={**_OFF, "class": "kk-input", "inputmode": "numeric"}),
    )


class DecisionForm(_KioskForm):
    number = forms.CharField(
        label="办件编号",
        max_length=32,
        help_text="受理通知书或短信中的办件编号",
        widget=forms.TextInput(attrs={**_OFF, "class": "kk-input", "autofocus": True}),
    )
    resident_id = forms.CharField(
        label="申请人身份证号码",
        max_length=32,
        help_text="可刷身份证",
        widget=forms.TextInput(attrs={**_OFF, "class": "kk-input"}),
    )
