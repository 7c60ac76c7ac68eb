"""The applicant search page (/search/): keywords, filters, theme browsing, pagination.

Works without JavaScript (a plain GET form); with htmx the filter form swaps only the results
partial. Bad parameters never give an error page: the page says what was wrong and searches
with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import codes, search

PAGE_SIZE = 10
RESULTS_ID = "bh-search-results"

FILTER_LABELS = {
    "q": "关键词",
    "region": "区域",
    "dept": "部门",
    "zone": "功能区",
    "audience": "服务对象",
    "type": "事项类别",
    "theme": "主题",
    "page": "页码",
}


@dataclass(frozen=True)
class Pager:
    number: int
    num_pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def window(self) -> list[int]:
        """Up to five page numbers around the current one."""
        first = max(1, min(self.number - 2, self.num_pages - 4))
        return list(range(first, min(self.num_pages, first + 4) + 1))


def _page_number(raw: str, errors: dict[str, list[str]]) -> int:
    raw = (raw or "").strip()
    if not raw:
        return 1
    if raw.isdigit() and 0 < int(raw) <= 10_000:
        return int(raw)
    errors.setdefault("page", []).append("页码应为正整数，已显示第1页。")
    return 1


@require_GET
def search_page(request):
    params, errors = search.clean_filters(request.GET)
    number = _page_number(request.GET.get("page", ""), errors)
    q = params["q"]
    filtering = any(key != "q" for key in params)
    result = pager = None
    if q or filtering:
        result = search.search(**params, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        num_pages = max(1, -(-result.total // PAGE_SIZE))
        if number > num_pages:  # past the end (an old link): show the last page
            number = num_pages
            result = search.search(**params, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        pager = Pager(number, num_pages)
    region_code = params.get("region_code")
    context = {
        "q": q,
        "params": params,
        "selected": {
            "region": region_code or "",
            "dept": str(params.get("department_id") or ""),
            "zone": params.get("zone", ""),
            "audience": params.get("audience", ""),
            "type": params.get("item_type", ""),
            "theme": params.get("theme", ""),
        },
        "errors": [(FILTER_LABELS.get(k, k), m) for k, msgs in errors.items() for m in msgs],
        "result": result,
        "pager": pager,
        "results_id": RESULTS_ID,
        "regions": search.region_options(),
        "departments": search.department_options(region_code),
        "zones": list(codes.ZONES.items()),
        "audiences": list(search.AUDIENCES.items()),
        "item_types": [(k, v) for k, v in codes.ITEM_TYPES.items() if k in codes.HALL_ITEM_TYPES],
        "themes": search.THEMES,
        "personal_themes": codes.PERSONAL_THEMES,
        "legal_themes": codes.LEGAL_THEMES,
        "browsing": not q and not filtering,
        "active_filters": sum(1 for key in params if key != "q"),
    }
    template = "catalog/search.html"
    if getattr(request, "htmx", False) and request.htmx.target == RESULTS_ID:
        template += "#results"
    return render(request, template, context)
