"""The life of a rectification (差评整改), as data: (status, action) -> new status.

open ──callback──▶ called_back ──verify──▶ verified ──measures──▶ rectified ──feedback──▶ fed_back ──close──▶ closed
                                            └── (not substantiated) ──feedback──▶ fed_back

A call that does not reach the rater is recorded with ``call`` and leaves the task open; after
BANHAO_RECTIFICATION_CALLBACK_TRIES such calls ``callback`` may complete the step as 无法联系.
Before it is closed the department or hall may appeal (申诉, open … fed_back → appealing); the
supervisor's decision closes it (upheld) or returns it to the status it had (rejected: the
target is the appeal's prior_status, written ``PRIOR`` here).

Guards that depend on the record, not only its status (a measure needs a substantiated
verification, feedback straight after verification needs a not-substantiated one) live in
``GUARDS``; ``allowed_actions`` applies both.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .models import Rectification

S = Rectification.Status
PRIOR = "prior"  # a rejected appeal returns the task to the status it had when appealed
APPEALABLE = (S.OPEN, S.CALLED_BACK, S.VERIFIED, S.RECTIFIED, S.FED_BACK)

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPEN, "call"): S.OPEN,  # a call not reached, recorded
    (S.OPEN, "callback"): S.CALLED_BACK,
    (S.CALLED_BACK, "verify"): S.VERIFIED,
    (S.VERIFIED, "measures"): S.RECTIFIED,
    (S.VERIFIED, "feedback"): S.FED_BACK,  # not substantiated: the explanation is the feedback
    (S.RECTIFIED, "feedback"): S.FED_BACK,
    (S.FED_BACK, "close"): S.CLOSED,
    **{(s, "appeal"): S.APPEALING for s in APPEALABLE},
    (S.APPEALING, "appeal_upheld"): S.CLOSED,
    (S.APPEALING, "appeal_rejected"): PRIOR,
}

ACTION_LABELS = {
    "open": "差评自动派发",
    "call": "回访未联系上",
    "callback": "回访",
    "verify": "核实",
    "measures": "整改",
    "feedback": "反馈评价人",
    "close": "办结",
    "appeal": "提出申诉",
    "appeal_upheld": "申诉成立",
    "appeal_rejected": "申诉不成立",
    "remind": "到期提醒",
    "escalate": "超期督办",
    "rerate": "评价人追评",
}


def _guard_measures(rect: Rectification) -> str | None:
    if rect.substantiated is not True:
        return "核实为情况不属实的差评无需整改，请直接向评价人反馈说明。"
    return None


def _guard_feedback(rect: Rectification) -> str | None:
    if rect.status == S.VERIFIED and rect.substantiated is not False:
        return "核实为情况属实的差评须先填写整改措施，再向评价人反馈。"
    return None


GUARDS = {
    (S.VERIFIED, "measures"): _guard_measures,
    (S.VERIFIED, "feedback"): _guard_feedback,
}


def transition(rect: Rectification, action: str) -> str:
    """The status ``action`` leads to from the rectification's status, or ValidationError (Chinese).
    For a rejected appeal the caller supplies the prior status (the answer is ``PRIOR``)."""
    target = TRANSITIONS.get((rect.status, action))
    if target is None:
        raise ValidationError(
            "差评整改当前状态为“%(state)s”，不能“%(action)s”。",
            code="transition",
            params={"state": S(rect.status).label, "action": ACTION_LABELS.get(action, action)},
        )
    guard = GUARDS.get((rect.status, action))
    problem = guard(rect) if guard else None
    if problem:
        raise ValidationError(problem, code="guard")
    return target


def allowed_actions(rect: Rectification) -> list[str]:
    """The actions the rectification's status and record allow now."""
    found = []
    for state, action in TRANSITIONS:
        if state != rect.status:
            continue
        guard = GUARDS.get((state, action))
        if guard is None or guard(rect) is None:
            found.append(action)
    return found
