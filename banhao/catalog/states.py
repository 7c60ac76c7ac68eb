"""The life cycle of standard-text versions and implementations, as data.

(from, action) -> to. Every status change goes through `transition()`.
"""

from django.core.exceptions import ValidationError

from .models import Status

TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, "submit"): Status.REVIEW,
    (Status.REVIEW, "return"): Status.DRAFT,
    (Status.REVIEW, "publish"): Status.PUBLISHED,
    (Status.DRAFT, "publish"): Status.PUBLISHED,  # allowed for imports run by an administrator
    (Status.PUBLISHED, "retire"): Status.RETIRED,
    (Status.RETIRED, "publish"): Status.PUBLISHED,  # an implementation may be put back in service
}
ACTION_LABELS = {"submit": "提交审核", "return": "退回修改", "publish": "发布", "retire": "停用"}


def transition(current: str, action: str) -> str:
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise ValidationError(
            "当前状态为“%(state)s”，不能执行“%(action)s”。",
            code="transition",
            params={"state": Status(current).label, "action": ACTION_LABELS.get(action, action)},
        )
    return target
