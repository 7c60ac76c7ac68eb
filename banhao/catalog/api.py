"""What other apps may use of the catalog: published implementations and their content."""

from __future__ import annotations

from .crossregion import cross_region_acceptance
from .models import Implementation, StandardVersion, Status
from .search import SearchHit, SearchResult
from .search import search as search_items
from .selectors import implementation_with_version
from .services import version_content

__all__ = [
    "SearchHit",
    "SearchResult",
    "cross_region_acceptance",
    "implementation_id_by_code",
    "other_published_regions",
    "published_for_application",
    "search_items",
    "standard_item_ids",
    "version_content",
]


def published_for_application(
    implementation_id: int,
) -> tuple[Implementation, StandardVersion] | tuple[None, None]:
    """(implementation, its published version) when both are published, else (None, None).

    Cases keep the version they were created under: callers store the version returned here.
    """
    return implementation_with_version(implementation_id)


def other_published_regions(impl: Implementation) -> list[Implementation]:
    """The same standard text published in the other regions (to choose where to apply)."""
    return list(
        Implementation.objects.select_related("region")
        .filter(standard_id=impl.standard_id, status=Status.PUBLISHED)
        .exclude(pk=impl.pk)
        .order_by("region__order", "region__code")
    )


def standard_item_ids(code: str) -> list[int]:
    """The standard texts a code names: one full code (371301002701-01), or every handling item of a
    basic code (371301002701)."""
    from .models import StandardItem

    code = (code or "").strip().upper()
    if "-" in code:
        return list(StandardItem.objects.filter(code=code).values_list("id", flat=True))
    return list(StandardItem.objects.filter(basic_code=code).order_by("code").values_list("id", flat=True))


def implementation_id_by_code(code: str) -> int | None:
    """The published implementation with that 实施编码 (None when there is none)."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return (
        Implementation.objects.filter(implementation_code=code, status=Status.PUBLISHED)
        .values_list("id", flat=True)
        .first()
    )
