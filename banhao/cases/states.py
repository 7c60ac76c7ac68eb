"""The life of a case, as data: (status, action) -> new status.

submitted → pre_review → accepted | correction (一次性告知) | refused
correction → submitted (the applicant corrects)
accepted → under_review ⇄ suspended (特别程序: the clock stops)
under_review → approved | denied → result_ready → delivered → concluded
The applicant may withdraw before a decision.
delivered | concluded → under_review (重办: a dissatisfied 12345 callback sends the case back;
the re-handling has its own deadline in working days, see services.case_rehandle)
"""

from django.core.exceptions import ValidationError

from .models import Status

S = Status
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.SUBMITTED, "pre_review"): S.PRE_REVIEW,
    (S.SUBMITTED, "accept"): S.ACCEPTED,
    (S.PRE_REVIEW, "accept"): S.ACCEPTED,
    (S.SUBMITTED, "request_correction"): S.CORRECTION,
    (S.PRE_REVIEW, "request_correction"): S.CORRECTION,
    (S.SUBMITTED, "refuse"): S.REFUSED,
    (S.PRE_REVIEW, "refuse"): S.REFUSED,
    (S.CORRECTION, "resubmit"): S.SUBMITTED,
    (S.ACCEPTED, "start_review"): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, "suspend"): S.SUSPENDED,
    (S.ACCEPTED, "suspend"): S.SUSPENDED,
    (S.SUSPENDED, "resume"): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, "approve"): S.APPROVED,
    (S.UNDER_REVIEW, "deny"): S.DENIED,
    (S.APPROVED, "result_ready"): S.RESULT_READY,
    (S.DENIED, "result_ready"): S.RESULT_READY,
    (S.RESULT_READY, "deliver"): S.DELIVERED,
    (S.DELIVERED, "conclude"): S.CONCLUDED,
    (S.REFUSED, "conclude"): S.CONCLUDED,
    (S.DELIVERED, "rehandle"): S.UNDER_REVIEW,
    (S.CONCLUDED, "rehandle"): S.UNDER_REVIEW,
    **{
        (s, "withdraw"): S.WITHDRAWN
        for s in (S.SUBMITTED, S.PRE_REVIEW, S.CORRECTION, S.ACCEPTED, S.UNDER_REVIEW, S.SUSPENDED)
    },
}
ACTION_LABELS = {
    "submit": "提交申请",
    "pre_review": "开始预审",
    "accept": "受理",
    "request_correction": "一次性告知补正",
    "refuse": "不予受理",
    "resubmit": "补正后重新提交",
    "start_review": "开始审查",
    "suspend": "进入特别程序",
    "resume": "特别程序结束",
    "approve": "准予许可",
    "deny": "不予许可",
    "result_ready": "制证/出具结果",
    "deliver": "送达",
    "conclude": "办结",
    "withdraw": "撤回申请",
    "claim": "认领",
    "assign": "分派",
    "opinion": "审查意见",
    "step": "完成环节",
    "escalate": "超期督办",
    "warning": "时限预警",
    "materials": "补充材料",
    "licence_issued": "签发电子证照",
    "rehandle": "退回重办",
}


def transition(current: str, action: str) -> str:
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise ValidationError(
            "办件当前状态为“%(state)s”，不能“%(action)s”。",
            code="transition",
            params={"state": Status(current).label, "action": ACTION_LABELS.get(action, action)},
        )
    return target


def allowed_actions(current: str) -> list[str]:
    return [action for (state, action) in TRANSITIONS if state == current]
