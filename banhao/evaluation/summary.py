"""The workbench's sources: each kind of open work (差评整改, 差评申诉复核, 效能投诉, and what
other parts add: 12345回访 …) registers one function that counts and lists its open items within a
scope, each with its deadline; the supervisor's workbench and the department's view show every
source the viewer's role may see, with a countdown in working days.

Adding a source is one call (a later call with the same key replaces the earlier one):

    from banhao.evaluation import summary

    def _callbacks(scope, today, limit):
        qs = scope.filter(Callback.objects.filter(status="pending"), region_field="region")
        return summary.from_queryset(qs, today=today, limit=limit, due_field="due_on",
                                     item=lambda c: summary.Item(f"回访 #{c.pk}", reverse("…", args=[c.pk]),
                                                                 c.due_on, c.get_status_display()))

    summary.register_source("callbacks", "12345回访", _callbacks, list_url="hotline:callbacks",
                            permissions=("evaluation.supervise",), order=40)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.urls import NoReverseMatch, reverse

from banhao.core.calendar import Countdown as CalendarCountdown
from banhao.core.calendar import add_workdays, countdown

DUE_SOON_WORKDAYS = 2  # "临期": due within this many working days


@dataclass(frozen=True)
class Item:
    title: str
    url: str | None
    due_on: dt.date | None
    status: str
    subject: str = ""


@dataclass(frozen=True)
class Countdown:
    """A workbench row's countdown: core.calendar's (one wording everywhere) or 无期限, with the
    tone of the row (text always: colour is never the only signal)."""

    days: int | None  # working days left; negative: working days overdue
    overdue: bool = False

    @classmethod
    def of(cls, due_on: dt.date | None, today: dt.date) -> Countdown:
        if due_on is None:
            return cls(None)
        c = countdown(due_on, today)
        return cls(c.days, c.overdue)

    @property
    def text(self) -> str:
        if self.days is None:
            return "无期限"
        return CalendarCountdown(self.days, self.overdue).text

    @property
    def tone(self) -> str:
        if self.days is None:
            return "muted"
        if self.overdue:
            return "danger"
        if self.days <= DUE_SOON_WORKDAYS:
            return "warn"
        return "ok"


@dataclass(frozen=True)
class Counts:
    open: int
    overdue: int
    due_soon: int
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    collect: Callable[..., Counts]  # collect(scope, today, limit) -> Counts
    permissions: tuple[str, ...]
    list_url: str | None  # a URL name or a path: the full list of this source
    order: int


@dataclass(frozen=True)
class Row:
    """An item as the workbench shows it."""

    item: Item
    countdown: Countdown


@dataclass(frozen=True)
class Tile:
    key: str
    title: str
    url: str | None
    open: int
    overdue: int
    due_soon: int
    rows: tuple[Row, ...]


_SOURCES: dict[str, Source] = {}


def register_source(
    key: str,
    title: str,
    collect: Callable[..., Counts],
    *,
    permissions: tuple[str, ...] = ("evaluation.supervise",),
    list_url: str | None = None,
    order: int = 100,
) -> None:
    """Adds (or replaces) a source of open work. A viewer sees it when the role has any of
    ``permissions``; ``collect`` must filter by the scope it is given."""
    _SOURCES[key] = Source(key, title, collect, tuple(permissions), list_url, order)


def sources() -> list[Source]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))


def from_queryset(
    qs: QuerySet, *, today: dt.date, limit: int, due_field: str | None, item: Callable[[object], Item]
) -> Counts:
    """Counts for a queryset of open items (scope applied): one aggregate query for the
    counts and one for the ``limit`` most urgent items (earliest deadline first). Items
    without a deadline (``due_field`` None) are listed oldest first and never overdue."""
    if due_field is None:
        n = qs.count()
        first = qs.order_by("pk")[:limit] if limit else []
        return Counts(n, 0, 0, tuple(item(x) for x in first))
    soon = add_workdays(today, DUE_SOON_WORKDAYS)
    agg = qs.order_by().aggregate(
        n=Count("pk"),
        overdue=Count("pk", filter=Q(**{f"{due_field}__lt": today})),
        soon=Count("pk", filter=Q(**{f"{due_field}__gte": today, f"{due_field}__lte": soon})),
    )
    first = qs.order_by(F(due_field).asc(nulls_last=True), "pk")[:limit] if limit else []
    return Counts(agg["n"], agg["overdue"], agg["soon"], tuple(item(x) for x in first))


def _url(target: str | None) -> str | None:
    if not target:
        return None
    if target.startswith("/"):
        return target
    try:
        return reverse(target)
    except NoReverseMatch:
        return None


def tiles(scope, today: dt.date, *, limit: int = 5) -> list[Tile]:
    """Every source the scope's role may see, counted within the scope."""
    shown = []
    for source in sources():
        if not any(scope.can(p) for p in source.permissions):
            continue
        counts = source.collect(scope, today, limit)
        rows = tuple(Row(i, Countdown.of(i.due_on, today)) for i in counts.items)
        shown.append(
            Tile(
                source.key,
                source.title,
                _url(source.list_url),
                counts.open,
                counts.overdue,
                counts.due_soon,
                rows,
            )
        )
    return shown


# --- the sources on main: rectifications, appeals, complaints ------------------------------------


def _rectifications(scope, today: dt.date, limit: int) -> Counts:
    """Open rectifications (not closed, not yet fed back) within the scope, as the rectify
    pages scope them."""
    from .models import Rectification
    from .rectification import rectifications_in_scope

    qs = rectifications_in_scope(scope).exclude(
        status__in=[Rectification.Status.CLOSED, Rectification.Status.FED_BACK]
    )
    return from_queryset(
        qs,
        today=today,
        limit=limit,
        due_field="due_on",
        item=lambda r: Item(
            f"差评整改 #{r.pk}",
            reverse("rectify:detail", args=[r.pk]),
            r.due_on,
            r.get_status_display(),
            r.rating.get_level_display(),
        ),
    )


def _appeals(scope, today: dt.date, limit: int) -> Counts:
    """Appeals waiting for a supervisor's review (no deadline of their own)."""
    from .appeals import appeals_in_scope
    from .models_appeals import Appeal

    qs = appeals_in_scope(scope).filter(status=Appeal.Status.PENDING)
    return from_queryset(
        qs,
        today=today,
        limit=limit,
        due_field=None,
        item=lambda a: Item(
            f"差评申诉 #{a.pk}",
            reverse("rectify:appeal_detail", args=[a.pk]),
            None,
            a.get_status_display(),
            a.get_kind_display(),
        ),
    )


def _complaints(scope, today: dt.date, limit: int) -> Counts:
    from . import complaint_states
    from .models_complaints import Complaint

    qs = Complaint.objects.filter(status__in=complaint_states.OPEN_STATUSES).select_related("department")
    qs = scope.filter(qs, region_field="region", department_field="department")
    return from_queryset(
        qs,
        today=today,
        limit=limit,
        due_field="due_on",
        item=lambda c: Item(
            f"效能投诉 {c.number}",
            reverse("complaints:detail", args=[c.pk]),
            c.due_on,
            c.get_status_display(),
            c.department.name,
        ),
    )


register_source(
    "rectifications",
    "差评整改",
    _rectifications,
    permissions=("evaluation.supervise", "evaluation.rectify"),
    list_url="rectify:list",
    order=10,
)
register_source(
    "appeals",
    "差评申诉复核",
    _appeals,
    permissions=("evaluation.supervise",),
    list_url="rectify:appeals",
    order=20,
)
register_source(
    "complaints",
    "效能投诉",
    _complaints,
    permissions=("complaints.view",),
    list_url="complaints:list",
    order=30,
)


from . import hotline_sources  # noqa: E402,F401  (the 12345 part registers its sources)
