"""Template helpers for the catalog pages."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

_LABELS = {
    "law": "法规",
    "article": "条款",
    "text": "内容",
    "name": "名称",
    "required": "必要",
    "medium": "形式",
    "copy": "原件/复印件",
    "copies": "份数",
    "pages": "页数",
    "source": "来源",
    "standard": "标准",
    "shared": "共享",
    "licence_type": "证照",
    "situation": "情形",
    "tolerated": "容缺",
    "has_blank_form": "空白表格",
    "has_sample": "示例",
    "role": "岗位",
    "share": "占比%",
    "key": "编码",
    "label": "名称",
    "type": "类型",
    "choices": "选项",
    "max_length": "长度",
    "help": "说明",
    "prefill": "预填",
    "q": "问",
    "a": "答",
    "question": "问题",
    "answer": "答案",
    "free": "不收费",
    "lines": "收费项目",
    "basis": "依据",
    "reduction": "减免",
}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


def _scalar(value) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(_scalar(v) for v in value) or "—"
    return str(value)


@register.filter
def pretty(value):
    """Lists of dicts as one line per entry ('名称：…；形式：…'), dicts as key：value pairs."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return format_html(
            "<ol class='bh-pretty'>{}</ol>",
            format_html_join("", "<li>{}</li>", ((pretty_dict(v),) for v in value)),
        )
    if isinstance(value, dict):
        return pretty_dict(value)
    return _scalar(value)


def pretty_dict(value: dict) -> str:
    parts = []
    for k, v in value.items():
        if k == "lines" and isinstance(v, list):
            v = "；".join(pretty_dict(x) for x in v) or "—"
        parts.append(f"{_LABELS.get(k, k)}：{_scalar(v)}")
    return "；".join(parts)
