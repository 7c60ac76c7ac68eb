"""The life of a selection round (红旗窗口/服务明星评选), as data: (status, action) -> new status.

    draft ──open_nomination──▶ nominating ──start_review──▶ reviewing ──decide──▶ decided ──publish──▶ published
                                   ▲                            │
                                   └──────── reopen ────────────┘   (no nominee had enough votes: nominate more)

Candidates are refreshed and excluded only before the review starts; nominations only while
nominating; votes and sign-offs only while reviewing. A published round is never changed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .models_selection import SelectionRound

S = SelectionRound.Status

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, "open_nomination"): S.NOMINATING,
    (S.NOMINATING, "start_review"): S.REVIEWING,
    (S.REVIEWING, "reopen"): S.NOMINATING,
    (S.REVIEWING, "decide"): S.DECIDED,
    (S.DECIDED, "publish"): S.PUBLISHED,
}

ACTION_LABELS: dict[str, str] = {
    "create": "发起评选",
    "refresh": "重新生成候选名单",
    "exclude": "排除候选",
    "open_nomination": "开始提名",
    "nominate": "提名",
    "start_review": "提交评审",
    "vote": "评审投票",
    "signoff": "领导签批",
    "reopen": "退回补充提名",
    "decide": "确定评选结果",
    "publish": "发布通报",
}

# statuses in which each non-transition step is allowed
REFRESH_STATUSES = frozenset({S.DRAFT})
EXCLUDE_STATUSES = frozenset({S.DRAFT, S.NOMINATING})
NOMINATE_STATUSES = frozenset({S.NOMINATING})
REVIEW_STATUSES = frozenset({S.REVIEWING})


def refusal(status: str, action: str) -> str:
    return f"评选当前状态为“{S(status).label}”，不能“{ACTION_LABELS.get(action, action)}”。"


def transition(status: str, action: str) -> str:
    """The status ``action`` leads to, or ValidationError in Chinese."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise ValidationError(refusal(status, action), code="transition")
    return target


def check_step(status: str, action: str, allowed: frozenset) -> None:
    if status not in allowed:
        raise ValidationError(refusal(status, action), code="transition")


def allowed_actions(status: str) -> list[str]:
    return [action for (source, action) in TRANSITIONS if source == status]
