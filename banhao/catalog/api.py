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
    "other_published_regions",
    "published_for_application",
    "search_items",
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
