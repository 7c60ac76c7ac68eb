"""The formula registry (指标公式). Each formula computes, for a subject kind and a period
[start, end), a value per subject and the facts behind it (the ids of the ratings, cases,
rectifications, callbacks, complaints, accountability records or tickets counted).

Facts come from the other apps' api.py only, one query per formula and period (a Context caches
each source, so two formulas over ratings share the query); the grouping per subject is done
here in one pass. A subject with no facts gets value None for a rate or a mean (无数据: left out
of its total, see compute.py) and 0 for a count. A formula that cannot be computed at all (the
training module missing) raises Unavailable."""

from __future__ import annotations

import datetime as dt
import importlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

WINDOW, DEPARTMENT, COUNTY, SECTION, STAFF = "window", "department", "county", "section", "staff"
ALL = (WINDOW, DEPARTMENT, COUNTY, STAFF)


class Unavailable(Exception):
    """The formula cannot be computed here (its source is missing): the indicator is left out."""


@dataclass(frozen=True)
class Measured:
    value: float | None
    n: int  # how many facts were counted (the denominator of a rate)
    ids: tuple[int, ...] = ()  # the facts behind the value


@dataclass
class Context:
    """One computation's period and caches: each fact source is read once."""

    start: dt.date
    end: dt.date
    region_ids: Iterable[int] | None = None
    today: dt.date | None = None
    _cache: dict = field(default_factory=dict)

    def get(self, name: str, loader: Callable[[], object]):
        if name not in self._cache:
            self._cache[name] = loader()
        return self._cache[name]

    def county_of(self) -> dict[int, int]:
        from banhao.org.api import county_of_regions

        return self.get("county_of", county_of_regions)


@dataclass(frozen=True)
class Formula:
    key: str
    label: str
    unit: str  # "%", "件", "分", "分钟", "小时"
    direction: str  # the natural direction: "higher" or "lower"
    kinds: tuple[str, ...]
    source: str  # the facts' kind for drill-down: rating, rectification, case, callback, …
    definition: str
    compute: Callable[[str, Context], dict[int, Measured]]


FORMULAS: dict[str, Formula] = {}


def register(key, label, unit, direction, kinds, source, definition):
    def deco(fn):
        FORMULAS[key] = Formula(key, label, unit, direction, tuple(kinds), source, definition, fn)
        return fn

    return deco


def measure(key: str, kind: str, ctx: Context) -> dict[int, Measured]:
    formula = FORMULAS[key]
    if kind not in formula.kinds:
        raise Unavailable(f"{formula.label}不适用于该考核对象")
    return formula.compute(kind, ctx)


# --- grouping helpers -----------------------------------------------------------------------


def _keyer(kind: str, ctx: Context, *, window="window_id", staff="clerk_id", department="department_id"):
    """A function fact → subject id for a kind (None: the fact belongs to no subject)."""
    if kind == WINDOW:
        return lambda f: getattr(f, window)
    if kind == STAFF:
        return lambda f: getattr(f, staff)
    if kind == DEPARTMENT:
        return lambda f: getattr(f, department)
    if kind == COUNTY:
        county = ctx.county_of()
        return lambda f: county.get(f.region_id)
    raise Unavailable(kind)


def _group(facts, key) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for f in facts:
        k = key(f)
        if k is not None:
            out[k].append(f)
    return out


def rate(groups: dict[int, list], good: Callable) -> dict[int, Measured]:
    """Percentage (one decimal) of the facts that are good; the ids are all the facts counted."""
    out = {}
    for k, facts in groups.items():
        n = len(facts)
        g = sum(1 for f in facts if good(f))
        out[k] = Measured(round(100.0 * g / n, 1) if n else None, n, tuple(f.id for f in facts))
    return out


def count(groups: dict[int, list], hit: Callable) -> dict[int, Measured]:
    """How many facts hit; the ids are the hits. Subjects absent from ``groups`` count 0."""
    out = {}
    for k, facts in groups.items():
        hits = [f.id for f in facts if hit(f)]
        out[k] = Measured(float(len(hits)), len(hits), tuple(hits))
    return out


def mean(groups: dict[int, list], value: Callable, *, scale: float = 1.0) -> dict[int, Measured]:
    """Mean of a value over the facts that have one (one decimal)."""
    out = {}
    for k, facts in groups.items():
        vals = [(f.id, value(f)) for f in facts]
        vals = [(i, v) for i, v in vals if v is not None]
        if vals:
            out[k] = Measured(
                round(sum(v for _, v in vals) / len(vals) / scale, 1), len(vals), tuple(i for i, _ in vals)
            )
        else:
            out[k] = Measured(None, 0, ())
    return out


# --- the sources (one query each per period) ---------------------------------------------------


def _ratings(ctx):
    from banhao.evaluation.api import rating_facts

    return ctx.get("ratings", lambda: rating_facts(ctx.start, ctx.end, region_ids=ctx.region_ids))


def _rectifications(ctx):
    from banhao.evaluation.api import rectification_facts

    return ctx.get(
        "rectifications", lambda: rectification_facts(ctx.start, ctx.end, region_ids=ctx.region_ids)
    )


def _due_cases(ctx):
    from banhao.cases.api import case_due_facts

    facts = ctx.get("due_cases", lambda: case_due_facts(ctx.start, ctx.end, today=ctx.today))
    if ctx.region_ids is not None:
        allowed = set(ctx.region_ids)
        facts = [f for f in facts if f.region_id in allowed]
    return facts


@dataclass(frozen=True, slots=True)
class _VisitFact:
    id: int
    department_id: int
    region_id: int
    window_id: int | None
    clerk_id: int | None
    visits: int


def _visited_cases(ctx):
    def load():
        from banhao.cases.api import case_concluded_facts
        from banhao.hall.api import case_visit_facts

        visits = case_visit_facts(ctx.start, ctx.end)
        out = []
        for c in case_concluded_facts(ctx.start, ctx.end):
            v = visits.get(c.id)
            out.append(
                _VisitFact(
                    c.id,
                    c.department_id,
                    c.region_id,
                    v.window_id if v else None,
                    v.clerk_id if v else None,
                    v.visits if v else 0,
                )
            )
        return out

    facts = ctx.get("visited_cases", load)
    if ctx.region_ids is not None:
        allowed = set(ctx.region_ids)
        facts = [f for f in facts if f.region_id in allowed]
    return facts


def _callbacks(ctx):
    from banhao.evaluation.api import callback_facts

    return ctx.get("callbacks", lambda: callback_facts(ctx.start, ctx.end, region_ids=ctx.region_ids))


def _complaints(ctx):
    from banhao.evaluation.api import substantiated_complaint_facts

    return ctx.get(
        "complaints", lambda: substantiated_complaint_facts(ctx.start, ctx.end, region_ids=ctx.region_ids)
    )


def _accountability(ctx):
    from banhao.evaluation.api import accountability_records

    return ctx.get(
        "accountability",
        lambda: accountability_records(start=ctx.start, end=ctx.end, region_ids=ctx.region_ids),
    )


def _tickets(ctx):
    from banhao.hall.api import ticket_period_facts

    return ctx.get("tickets", lambda: ticket_period_facts(ctx.start, ctx.end, region_ids=ctx.region_ids))


# --- the formulas ---------------------------------------------------------------------------


@register(
    "satisfaction_rate",
    "满意率",
    "%",
    "higher",
    ALL,
    "rating",
    "周期内有效评价（当前有效、未经申诉剔除）中“基本满意”及以上所占百分比。",
)
def satisfaction_rate(kind, ctx):
    return rate(_group(_ratings(ctx), _keyer(kind, ctx)), lambda f: not f.is_bad)


@register(
    "bad_ratings", "差评数", "件", "lower", ALL, "rating", "周期内有效评价中“不满意”“非常不满意”的件数。"
)
def bad_ratings(kind, ctx):
    return count(_group(_ratings(ctx), _keyer(kind, ctx)), lambda f: f.is_bad)


@register(
    "rectification_on_time",
    "差评按期整改率",
    "%",
    "higher",
    ALL,
    "rectification",
    "整改期限在周期内的差评整改中按期办结的百分比；逾期未办结的计为未按期。窗口、人员按差评所涉窗口、人员归属。",
)
def rectification_on_time(kind, ctx):
    return rate(_group(_rectifications(ctx), _keyer(kind, ctx)), lambda f: f.on_time)


@register(
    "on_time_completion",
    "按时办结率",
    "%",
    "higher",
    (DEPARTMENT, COUNTY),
    "case",
    "承诺办结日期在周期内（且已到期）的办件中，在承诺日期当日或之前作出决定的百分比。",
)
def on_time_completion(kind, ctx):
    return rate(_group(_due_cases(ctx), _keyer(kind, ctx)), lambda f: f.on_time)


@register(
    "overdue_cases",
    "超期办件数",
    "件",
    "lower",
    (DEPARTMENT, COUNTY),
    "case",
    "承诺办结日期在周期内、未在该日期前作出决定的办件数（含仍未办结的）。",
)
def overdue_cases(kind, ctx):
    return count(_group(_due_cases(ctx), _keyer(kind, ctx)), lambda f: not f.on_time)


@register(
    "one_visit_rate",
    "一次办好率",
    "%",
    "higher",
    ALL,
    "case",
    "周期内送达或办结的办件中，申请人到大厅不超过一次（取号办理与窗口领证合计）的百分比；"
    "窗口、人员按首次到访的窗口、人员归属，网上办理且邮寄送达的计为零次。",
)
def one_visit_rate(kind, ctx):
    facts = _visited_cases(ctx)
    if kind in (WINDOW, STAFF):
        facts = [f for f in facts if f.visits > 0]
    return rate(_group(facts, _keyer(kind, ctx)), lambda f: f.visits <= 1)


@register(
    "callback_score",
    "回访平均得分",
    "分",
    "higher",
    (DEPARTMENT, COUNTY),
    "callback",
    "周期内计划并接通的办件回访（12345回访）问卷得分的平均值（百分制）。",
)
def callback_score(kind, ctx):
    return mean(_group(_callbacks(ctx), _keyer(kind, ctx)), lambda f: f.score)


@register(
    "substantiated_complaints",
    "属实投诉数",
    "件",
    "lower",
    ALL,
    "complaint",
    "周期内办结、调查结论为属实或部分属实的效能投诉件数（按投诉对象窗口、人员、部门、区域归属）。",
)
def substantiated_complaints(kind, ctx):
    return count(_group(_complaints(ctx), _keyer(kind, ctx, staff="staff_id")), lambda f: True)


@register(
    "accountability",
    "责任追究数",
    "件",
    "lower",
    ALL,
    "accountability",
    "周期内决定的责任追究记录件数（按记录所涉人员、窗口、部门、区域归属）。",
)
def accountability(kind, ctx):
    return count(_group(_accountability(ctx), _keyer(kind, ctx, staff="staff_id")), lambda f: True)


@register(
    "queue_wait",
    "平均等候时长",
    "分钟",
    "lower",
    (WINDOW, STAFF, COUNTY),
    "ticket",
    "周期内被呼叫过的排队号自取号到首次呼叫的平均分钟数（按呼叫窗口、人员归属）。",
)
def queue_wait(kind, ctx):
    return mean(_group(_tickets(ctx), _keyer(kind, ctx)), lambda f: f.wait_s, scale=60.0)


@register(
    "service_time",
    "平均办理时长",
    "分钟",
    "lower",
    (WINDOW, STAFF, COUNTY),
    "ticket",
    "周期内办结的排队号自首次呼叫到办结的平均分钟数。",
)
def service_time(kind, ctx):
    return mean(_group(_tickets(ctx), _keyer(kind, ctx)), lambda f: f.service_s, scale=60.0)


@register(
    "no_shows",
    "过号数",
    "件",
    "lower",
    (WINDOW, STAFF, COUNTY),
    "ticket",
    "周期内呼叫后未到、记为过号的排队号数（按呼叫窗口、人员归属）。",
)
def no_shows(kind, ctx):
    return count(_group(_tickets(ctx), _keyer(kind, ctx)), lambda f: f.no_show)


@register(
    "training_hours",
    "学习培训学时",
    "小时",
    "higher",
    ALL,
    "training",
    "周期内日常自学（确认的阅读时长）与集中学习（签到出勤）的学时合计，由学习培训模块计算"
    "（banhao.assessment.training.training_hours）；该模块不存在时本指标不可用。",
)
def training_hours(kind, ctx):
    try:
        module = importlib.import_module("banhao.assessment.training")
    except ImportError:
        raise Unavailable("学习培训模块未安装") from None
    fn = getattr(module, "training_hours", None)
    if fn is None:
        raise Unavailable("学习培训模块未提供 training_hours")
    from banhao.org.api import assessment_subjects

    ids = [s.id for s in assessment_subjects(kind, ctx.region_ids)]
    try:
        hours = fn(kind, ids, ctx.start, ctx.end)
    except (NotImplementedError, ValueError) as exc:
        raise Unavailable(str(exc)) from None
    out = {}
    for sid, h in (hours or {}).items():
        if isinstance(h, tuple | list):  # (hours, fact ids)
            h, facts = h[0], tuple(h[1])
        else:
            facts = ()
        out[int(sid)] = Measured(None if h is None else round(float(h), 1), len(facts), facts)
    for sid in ids:
        out.setdefault(sid, Measured(0.0, 0, ()))
    return out
