"""The life cycle of an efficiency complaint (效能投诉) as data.

    received ──accept──> accepted ──investigate──> investigating ──conclude──> concluded
        └──decline (理由必填; the complainant is told at once)──> declined
    concluded ──reply (告知投诉人: site message and/or SMS)──> replied ──close──> closed

Evidence may be added while the complaint is accepted or under investigation. Accountability
(责任追究) is recorded for a substantiated or partly substantiated complaint once it is concluded;
closing such a complaint needs at least one accountability record.
"""

from __future__ import annotations

from .models_complaints import Complaint

S = Complaint.Status

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.RECEIVED, "accept"): S.ACCEPTED,
    (S.RECEIVED, "decline"): S.DECLINED,
    (S.ACCEPTED, "investigate"): S.INVESTIGATING,
    (S.INVESTIGATING, "conclude"): S.CONCLUDED,
    (S.CONCLUDED, "reply"): S.REPLIED,
    (S.REPLIED, "close"): S.CLOSED,
}

ACTION_LABELS: dict[str, str] = {
    "file": "登记投诉",
    "accept": "受理",
    "decline": "不予受理",
    "investigate": "开始调查",
    "evidence": "上传证据",
    "conclude": "作出调查结论",
    "reply": "告知投诉人",
    "close": "归档",
    "accountability": "责任追究",
}

# the statuses in which evidence may still be added, and accountability recorded
EVIDENCE_STATUSES = frozenset({S.ACCEPTED, S.INVESTIGATING})
ACCOUNTABILITY_STATUSES = frozenset({S.CONCLUDED, S.REPLIED, S.CLOSED})
OPEN_STATUSES = frozenset({S.RECEIVED, S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED})


def next_status(status: str, action: str) -> str | None:
    return TRANSITIONS.get((status, action))


def allowed_actions(status: str) -> list[str]:
    """The transitions open from ``status``, in the order the table lists them."""
    return [action for (source, action) in TRANSITIONS if source == status]


def refusal(status: str, action: str) -> str:
    """The Chinese message for an action the table does not allow from ``status``."""
    label = ACTION_LABELS.get(action, action)
    try:
        shown = S(status).label
    except ValueError:
        shown = status
    return f"投诉当前状态为“{shown}”，不能“{label}”。"
