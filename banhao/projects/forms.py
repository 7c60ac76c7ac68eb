from __future__ import annotations

from django import forms

from .models import InvestmentKind, UseKind


class ProjectForm(forms.Form):
    code = forms.CharField(
        label="投资项目代码",
        max_length=40,
        help_text="在投资项目在线审批监管平台赋码取得，格式如 2024-371302-48-03-000016。",
        error_messages={"required": "请填写投资项目代码。"},
    )
    name = forms.CharField(label="项目名称", max_length=120, error_messages={"required": "请填写项目名称。"})
    investment_kind = forms.ChoiceField(
        label="投资类型", choices=InvestmentKind.choices, widget=forms.RadioSelect
    )
    use_kind = forms.ChoiceField(label="项目类别", choices=UseKind.choices, widget=forms.RadioSelect)
    small = forms.BooleanField(label="小型项目（可合并办理工程建设许可和施工许可）", required=False)
    simple_low_risk = forms.BooleanField(label="简易低风险项目（社会投资）", required=False)
    location = forms.CharField(
        label="建设地点", max_length=160, error_messages={"required": "请填写建设地点。"}
    )
    scale = forms.CharField(
        label="建设规模及内容",
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写建设规模及内容。"},
    )
    total_investment = forms.CharField(
        label="总投资（万元）", max_length=20, error_messages={"required": "请填写总投资。"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("investment_kind", "use_kind"):
            self.fields[name].error_messages["required"] = f"请选择{self.fields[name].label}。"
            self.fields[name].error_messages["invalid_choice"] = f"请选择{self.fields[name].label}。"
