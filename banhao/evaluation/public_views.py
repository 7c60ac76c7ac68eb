"""好差评公示 (/evaluation/public/): the figures per department of a region for a month or a
year, as provinces publish them — satisfaction rate, ratings, bad ratings, rectified. No login;
no personal data (counts only)."""

from __future__ import annotations

import datetime as dt
import re

from django.shortcuts import render
from django.utils import timezone

from banhao.org import api as org

from . import selectors

MONTHS_SHOWN = 24
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _previous_month(today: dt.date) -> tuple[int, int]:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


def month_options(today: dt.date, n: int = MONTHS_SHOWN) -> list[tuple[str, str]]:
    y, m = today.year, today.month
    options = []
    for _ in range(n):
        options.append((f"{y:04d}-{m:02d}", f"{y}年{m}月"))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return options


def period_from(request, today: dt.date) -> tuple[selectors.Period, str, str]:
    """The period asked for (?month=YYYY-MM or ?year=YYYY; the previous month by default) as
    (period, month value, year value) — a bad value falls back to the default."""
    year = (request.GET.get("year") or "").strip()
    if year.isdigit() and 2000 <= int(year) <= today.year:
        return selectors.year_period(int(year)), "", year
    match = _MONTH.match((request.GET.get("month") or "").strip())
    if match:
        y, m = int(match[1]), int(match[2])
        if 1 <= m <= 12 and 2000 <= y and (y, m) <= (today.year, today.month):
            return selectors.month_period(y, m), f"{y:04d}-{m:02d}", ""
    y, m = _previous_month(today)
    return selectors.month_period(y, m), f"{y:04d}-{m:02d}", ""


def public_figures(request):
    today = timezone.localdate()
    regions = org.region_choices()
    codes = {code for code, _ in regions}
    code = (request.GET.get("region") or "").strip()
    if code not in codes:
        code = org.city_region_code() or (regions[0][0] if regions else "")
    region_id = org.region_id_by_code(code) if code else None
    period, month, year = period_from(request, today)
    figures = selectors.rating_figures(period=period, region_ids=[region_id]) if region_id else []
    return render(
        request,
        "evaluation/public/figures.html",
        {
            "regions": regions,
            "region_code": code,
            "region_name": dict(regions).get(code, ""),
            "period": period,
            "month": month,
            "year": year,
            "months": month_options(today),
            "years": list(range(today.year, today.year - 5, -1)),
            "figures": figures,
            "total": selectors.totals(figures),
        },
    )
