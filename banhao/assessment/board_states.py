"""The life of a 红蓝榜 and of a 蓝榜整改 task, as data: (status, action) -> new status.

Board (a ScoreSet of a hall's windows for a month):

    draft ──review──▶ reviewed ──publish──▶ published

A published board is final: there is no unpublish. The scores behind it are frozen (the
computation never replaces a reviewed or published set), so a "correction" by recomputation is
impossible by design; a mistake found later is handled in the next month (a manual item with a
reason and an approver). Everything else is refused in Chinese.

Blue-list rectification (BoardRectification):

    open ──measures──▶ rectified ──close──▶ closed
                       rectified ──return──▶ open   (the supervisor sends it back)
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .models_boards import BoardRectification
from .models_schemes import ScoreSet

B = ScoreSet.Status
R = BoardRectification.Status

BOARD_TRANSITIONS: dict[tuple[str, str], str] = {
    (B.DRAFT, "review"): B.REVIEWED,
    (B.REVIEWED, "publish"): B.PUBLISHED,
}

RECT_TRANSITIONS: dict[tuple[str, str], str] = {
    (R.OPEN, "measures"): R.RECTIFIED,
    (R.RECTIFIED, "close"): R.CLOSED,
    (R.RECTIFIED, "return"): R.OPEN,
}

ACTION_LABELS = {
    "review": "审核",
    "publish": "发布",
    "open": "蓝榜整改派发",
    "measures": "填报整改措施",
    "close": "确认办结",
    "return": "退回重新整改",
    "remind": "到期提醒",
    "escalate": "超期督办",
}


def board_transition(status: str, action: str) -> str:
    target = BOARD_TRANSITIONS.get((status, action))
    if target is None:
        raise ValidationError(
            "红蓝榜当前状态为“%(state)s”，不能“%(action)s”。",
            code="transition",
            params={"state": B(status).label, "action": ACTION_LABELS.get(action, action)},
        )
    return target


def rect_transition(status: str, action: str) -> str:
    target = RECT_TRANSITIONS.get((status, action))
    if target is None:
        raise ValidationError(
            "蓝榜整改当前状态为“%(state)s”，不能“%(action)s”。",
            code="transition",
            params={"state": R(status).label, "action": ACTION_LABELS.get(action, action)},
        )
    return target


def board_actions(status: str) -> list[str]:
    return [a for (s, a) in BOARD_TRANSITIONS if s == status]


def rect_actions(status: str) -> list[str]:
    return [a for (s, a) in RECT_TRANSITIONS if s == status]
