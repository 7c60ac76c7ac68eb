"""Chinese names of audit actions and fields, for the history pages.

Kept apart from ``audit`` so that ``models.AuditEvent`` can show its own labels without the
kernel's models and the audit writer importing each other.
"""

from __future__ import annotations

# Chinese names of actions for the history pages; each app registers its own in ready().
ACTION_LABELS: dict[str, str] = {
    "calendar.day_set": "设置节假日/调休日",
    "calendar.day_clear": "取消节假日/调休日",
    "calendar.year_publish": "发布年度工作日历",
    "calendar.year_update": "修改年度工作日历",
}
_SUFFIX_LABELS = {"_add": "新增", "_change": "修改", "_delete": "删除"}


def register_action_labels(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    """The Chinese name of an action (generic admin actions: 新增/修改/删除 + the model's name)."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    for suffix, verb in _SUFFIX_LABELS.items():
        if action.endswith(suffix):
            model = _model_for(action.removesuffix(suffix))
            return verb + (str(model._meta.verbose_name) if model else "")
    return action


def _model_for(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def field_label(object_type: str, field_name: str) -> str:
    model = _model_for(object_type)
    if model is None:
        return field_name
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except Exception:  # a field that no longer exists keeps its stored name
        return field_name
