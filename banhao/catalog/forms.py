"""Edge parsing for the catalog officer screens; the rules themselves live in content.py."""

from django import forms

from banhao.org.api import city_region_code, department_names

from . import codes


def _choices(mapping):
    return list(mapping.items()) if isinstance(mapping, dict) else [(v, v or "（无）") for v in mapping]


class StandardTextForm(forms.Form):
    basic_code = forms.CharField(label="基本编码", max_length=12, help_text="最长12位，数字和大写字母。")
    handling_code = forms.CharField(label="办理项编码", max_length=2, help_text="两位数字，如 01。")
    name = forms.CharField(label="事项名称", max_length=100)
    sub_item_name = forms.CharField(label="子项名称", max_length=100, required=False)
    handling_name = forms.CharField(
        label="业务办理项", max_length=50, required=False, help_text="如 新办、变更、注销。"
    )
    item_type = forms.ChoiceField(label="事项类别", choices=_choices(codes.ITEM_TYPES))
    zone = forms.ChoiceField(label="所属功能区", choices=_choices(codes.ZONES))
    department = forms.ChoiceField(label="实施主体（市级）")
    level = forms.ChoiceField(label="行使层级", choices=_choices(codes.LEVELS))
    service_objects = forms.MultipleChoiceField(
        label="服务对象", choices=[(o, o) for o in codes.SERVICE_OBJECTS], widget=forms.CheckboxSelectMultiple
    )
    themes = forms.MultipleChoiceField(
        label="主题分类",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(t, t) for t in dict.fromkeys(codes.PERSONAL_THEMES + codes.LEGAL_THEMES)],
    )
    keywords = forms.CharField(label="搜索关键词", required=False, help_text="群众常用的说法，用“、”分隔。")
    conditions = forms.CharField(label="受理条件", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    statutory_days = forms.IntegerField(
        label="法定时限（工作日）", required=False, min_value=0, max_value=366, help_text="法律未规定的留空。"
    )
    promised_days = forms.IntegerField(
        label="承诺时限（工作日）", min_value=0, max_value=366, help_text="即办件填 0。"
    )
    case_type = forms.ChoiceField(label="办件类型", choices=_choices(codes.CASE_TYPES))
    visits = forms.IntegerField(label="到办事现场次数", min_value=0, max_value=5)
    visit_reason = forms.CharField(label="到现场原因", max_length=200, required=False)
    online_depth = forms.ChoiceField(label="网上办理深度", choices=_choices(codes.ONLINE_DEPTHS))
    booking = forms.BooleanField(label="支持预约", required=False)
    post = forms.BooleanField(label="支持物流快递", required=False)
    online_payment = forms.BooleanField(label="支持网上支付", required=False)
    scope = forms.ChoiceField(label="通办范围", choices=_choices(codes.SCOPES), required=False)
    result_name = forms.CharField(label="办理结果名称", max_length=100)
    result_is_licence = forms.BooleanField(label="结果为电子证照", required=False)
    result_delivery = forms.CharField(label="结果送达方式", max_length=100, required=False)
    consult_phone = forms.CharField(label="咨询电话", max_length=30, required=False)
    complaint_phone = forms.CharField(label="监督投诉电话", max_length=30, required=False)
    fee_free = forms.BooleanField(label="不收费", required=False)
    change_note = forms.CharField(
        label="变更说明", max_length=200, required=False, help_text="将记入版本历史。"
    )

    def __init__(self, *args, codes_locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        city = city_region_code()
        self.fields["department"].choices = [(n, n) for n in department_names(city)] if city else []
        if codes_locked:
            for name in ("basic_code", "handling_code"):
                self.fields[name].disabled = True

    def content(self, lists: dict) -> dict:
        """The content dict for validate_content: scalars from this form, lists from the tables."""
        d = dict(self.cleaned_data)
        d["keywords"] = [
            k.strip() for k in d["keywords"].replace(",", "、").replace("，", "、").split("、") if k.strip()
        ]
        free = d.pop("fee_free")
        d.pop("change_note", None)
        lines = lists.pop("fee_lines")
        d["fee"] = {"free": free and not lines, "lines": lines}
        d.update(lists)
        return d


def initial_from_content(content: dict) -> dict:
    data = {
        k: v
        for k, v in content.items()
        if k not in {"fee", "legal_bases", "materials", "steps", "form_fields", "faq", "situations"}
    }
    data["keywords"] = "、".join(content.get("keywords") or [])
    data["fee_free"] = bool(content.get("fee", {}).get("free", True))
    return data


class ImplementationForm(forms.Form):
    department = forms.ChoiceField(label="实施主体")
    address = forms.CharField(label="办理地点", max_length=200, required=False)
    phone = forms.CharField(label="咨询电话", max_length=30, required=False)
    office_hours = forms.CharField(label="办理时间", max_length=200, required=False)
    windows = forms.CharField(label="办理窗口", max_length=200, required=False)

    def __init__(self, *args, region_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(n, n) for n in department_names(region_code)]


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("submit", "return", "publish", "retire")])
    reason = forms.CharField(max_length=200, required=False)
    effective_from = forms.DateField(required=False)
