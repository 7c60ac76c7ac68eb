"""The supervisor's workbench (/evaluation/) and the department's view of its own
(/evaluation/department/): one tile per source of open work (summary.py) with its counts and
the most urgent items' countdowns, and this month's rating figures of the scope."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from banhao.org.api import staff_required

from . import selectors, summary


def _month(today):
    return selectors.month_period(today.year, today.month)


@staff_required("evaluation.supervise")
def workbench(request):
    """GET /evaluation/ — open rectifications, complaints and every registered source of the
    supervisor's scope, and the scope's figures of this month per department."""
    scope = request.scope
    today = timezone.localdate()
    period = _month(today)
    figures = selectors.rating_figures(
        period=period, region_ids=None if scope.is_city_wide else scope.region_ids
    )
    return render(
        request,
        "evaluation/workbench/workbench.html",
        {
            "tiles": summary.tiles(scope, today),
            "figures": figures,
            "total": selectors.totals(figures),
            "period": period,
            "today": today,
        },
    )


@staff_required("evaluation.department")
def department_view(request):
    """GET /evaluation/department/ — a department head's own rectifications and complaints,
    and the department's figures of this month."""
    scope = request.scope
    today = timezone.localdate()
    period = _month(today)
    figures = selectors.rating_figures(
        period=period, region_ids=scope.region_ids, department_id=scope.department_id
    )
    return render(
        request,
        "evaluation/workbench/department.html",
        {
            "tiles": summary.tiles(scope, today),
            "figures": figures,
            "total": selectors.totals(figures, name="本部门"),
            "period": period,
            "today": today,
        },
    )
