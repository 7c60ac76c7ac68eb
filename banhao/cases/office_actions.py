"""Staff actions on one case, shared by the office pages and the JSON API so they cannot drift.

``run(action, scope=, user=, case=, data=)`` checks, in this order: the action exists (else
ValidationError), the role has its permission (else PermissionDenied → 403; the head
sign-off rule too), the case's status allows it (else ValidationError with the transition
table's Chinese message → 400), the parameters (a small form each, Chinese messages → 400);
then it calls exactly one service. ``available(scope, user, case)`` says which actions the
case page offers, from the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from . import selectors, services, states
from .models import Case, Pause, Status

HEAD_SIGN_OFF_TEXT = "该事项须由部门负责人签批"


# --- parameter forms (validated at the edge; the services still check their own rules) -----


class AcceptForm(forms.Form):
    on = forms.DateField(
        label="受理日期", required=False, error_messages={"invalid": "受理日期格式应为 YYYY-MM-DD。"}
    )

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on and on > timezone.localdate():
            raise ValidationError("受理日期不能晚于今天。")
        return on


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="不予受理理由", max_length=2000, error_messages={"required": "不予受理必须说明理由。"}
    )
    competent_office = forms.CharField(
        label="有权受理的机关",
        max_length=200,
        required=False,
        error_messages={"max_length": "有权受理的机关名称不能超过200字。"},
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="承办人",
        queryset=None,
        error_messages={
            "required": "请选择承办人。",
            "invalid_choice": "请选择本部门的工作人员。",
            "invalid_pk_value": "请选择本部门的工作人员。",
        },
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignee_candidates(case)


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label="审查意见", max_length=5000, error_messages={"required": "请填写审查意见。"}
    )
    complete_step = forms.BooleanField(label="完成本环节", required=False)


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(
        label="特别程序",
        choices=Pause.Kind.choices,
        error_messages={"required": "请选择特别程序的种类。", "invalid_choice": "请选择特别程序的种类。"},
    )
    reason = forms.CharField(
        label="原因",
        max_length=500,
        error_messages={"required": "请说明进入特别程序的原因。", "max_length": "原因不能超过500字。"},
    )
    expected_days = forms.IntegerField(
        label="预计时长（工作日）",
        min_value=1,
        max_value=365,
        error_messages={
            "required": "请填写特别程序的预计时长（工作日）。",
            "invalid": "预计时长应为整数（工作日）。",
            "min_value": "预计时长至少1个工作日。",
            "max_value": "预计时长不能超过365个工作日。",
        },
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定",
        choices=[("approve", "准予许可"), ("deny", "不予许可")],
        error_messages={"required": "请选择准予或不予许可。", "invalid_choice": "请选择准予或不予许可。"},
    )
    reason = forms.CharField(label="理由", max_length=5000, required=False)


class DeliverForm(forms.Form):
    method = forms.ChoiceField(
        label="送达方式",
        choices=Case.Delivery.choices,
        error_messages={"required": "请选择送达方式。", "invalid_choice": "请选择送达方式。"},
    )
    tracking_number = forms.CharField(
        label="快递单号",
        max_length=40,
        required=False,
        error_messages={"max_length": "快递单号不能超过40个字符。"},
    )


def _clean(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError({k: list(v) for k, v in form.errors.items()})
    return form.cleaned_data


def _correction_items(data: Mapping) -> list[dict[str, str]]:
    items = data.get("items")
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise ValidationError({"items": ["请逐项列出需补正的材料及原因。"]})
    return [{"material": str(i.get("material") or ""), "reason": str(i.get("reason") or "")} for i in items]


# --- the actions -------------------------------------------------------------------------


def _accept(*, user, case, data, **_):
    return services.case_accept(actor=user, case=case, on=_clean(AcceptForm(data))["on"])


def _request_correction(*, user, case, data, **_):
    return services.case_request_correction(
        actor=user, case=case, items=_correction_items(data), note=str(data.get("note") or "").strip()
    )


def _refuse(*, user, case, data, **_):
    args = _clean(RefuseForm(data))
    return services.case_refuse(
        actor=user, case=case, reason=args["reason"], competent_office=args["competent_office"]
    )


def _claim(*, user, case, **_):
    return services.case_claim(actor=user, case=case)


def _assign(*, user, case, data, **_):
    args = _clean(AssignForm(data, case=case))
    return services.case_assign(actor=user, case=case, assignee=args["assignee"])


def _opinion(*, user, case, data, **_):
    args = _clean(OpinionForm(data))
    return services.case_record_opinion(
        actor=user, case=case, opinion=args["opinion"], complete_step=args["complete_step"]
    )


def _suspend(*, user, case, data, **_):
    args = _clean(SuspendForm(data))
    return services.case_suspend(
        actor=user, case=case, kind=args["kind"], reason=args["reason"], expected_days=args["expected_days"]
    )


def _resume(*, user, case, **_):
    return services.case_resume(actor=user, case=case)


def _decide(*, user, case, data, **_):
    args = _clean(DecideForm(data))
    return services.case_decide(
        actor=user, case=case, approved=args["decision"] == "approve", reason=args["reason"]
    )


def _result_ready(*, user, case, **_):
    return services.case_result_ready(actor=user, case=case)


def _deliver(*, user, case, data, **_):
    args = _clean(DeliverForm(data))
    return services.case_deliver(
        actor=user, case=case, method=args["method"], tracking_number=args["tracking_number"]
    )


def _conclude(*, user, case, **_):
    return services.case_conclude(actor=user, case=case)


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    permission: str
    run: Callable[..., Case]
    # the transition-table action whose availability decides this one (None: see `statuses`)
    transition: str | None = None
    statuses: frozenset[str] = frozenset()


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("accept", "受理", "cases.accept", _accept, transition="accept"),
        Action(
            "request_correction",
            "一次性告知补正",
            "cases.accept",
            _request_correction,
            transition="request_correction",
        ),
        Action("refuse", "不予受理", "cases.accept", _refuse, transition="refuse"),
        Action("claim", "认领", "cases.review", _claim, statuses=frozenset(selectors.REVIEW_STATUSES)),
        Action("assign", "分派", "cases.assign", _assign, statuses=frozenset(selectors.REVIEW_STATUSES)),
        Action("opinion", "审查意见", "cases.review", _opinion, statuses=frozenset({Status.UNDER_REVIEW})),
        Action("suspend", "进入特别程序", "cases.review", _suspend, transition="suspend"),
        Action("resume", "特别程序结束", "cases.review", _resume, transition="resume"),
        Action("decide", "作出决定", "cases.decide", _decide, transition="approve"),
        Action("result_ready", "制证/出具结果", "cases.deliver", _result_ready, transition="result_ready"),
        Action("deliver", "送达", "cases.deliver", _deliver, transition="deliver"),
        Action("conclude", "办结", "cases.deliver", _conclude, transition="conclude"),
    )
}


def _status_allows(action: Action, status: str) -> bool:
    if action.transition:
        return (status, action.transition) in states.TRANSITIONS
    return status in action.statuses


def _status_error(action: Action, case: Case) -> ValidationError:
    return ValidationError(
        "办件当前状态为“%(state)s”，不能“%(action)s”。",
        code="transition",
        params={"state": Status(case.status).label, "action": action.label},
    )


def head_sign_off_blocks(scope, case: Case) -> bool:
    """True when the process needs the department head's sign-off and the user is not a head."""
    return selectors.requires_head_sign_off(case) and scope.role != "department_head"


def _claim_blocked(user, case: Case) -> str:
    if case.assignee_id and case.assignee_id != user.pk:
        return "该办件已由其他人员认领。"
    if case.assignee_id == user.pk and case.status != Status.ACCEPTED:
        return "您已认领该办件。"
    return ""


def run(action: str, *, scope, user, case: Case, data: Mapping | None = None) -> Case:
    """Performs one staff action on a case in the user's scope; returns the updated case."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationError({"action": ["未知的操作。"]})
    if action == "decide" and head_sign_off_blocks(scope, case):
        raise PermissionDenied(HEAD_SIGN_OFF_TEXT + "。")
    if not scope.can(spec.permission):
        raise PermissionDenied(f"您的角色无权“{spec.label}”。")
    if not _status_allows(spec, case.status):
        raise _status_error(spec, case)
    if action == "claim" and (blocked := _claim_blocked(user, case)):
        raise ValidationError(blocked)
    return spec.run(user=user, case=case, data=data if data is not None else {})


@dataclass(frozen=True)
class Offer:
    """An action the case page shows: enabled, or disabled with the reason in words."""

    name: str
    label: str
    enabled: bool = True
    note: str = ""


def available(scope, user, case: Case) -> dict[str, Offer]:
    """The actions the case's status and the user's role allow now, by name."""
    offers: dict[str, Offer] = {}
    for spec in ACTIONS.values():
        if not _status_allows(spec, case.status):
            continue
        if spec.name == "decide":
            if head_sign_off_blocks(scope, case):
                if scope.can("cases.decide") or scope.can("cases.review"):
                    offers["decide"] = Offer("decide", spec.label, enabled=False, note=HEAD_SIGN_OFF_TEXT)
                continue
        if not scope.can(spec.permission):
            continue
        if spec.name == "claim" and _claim_blocked(user, case):
            continue
        offers[spec.name] = Offer(spec.name, spec.label)
    return offers
