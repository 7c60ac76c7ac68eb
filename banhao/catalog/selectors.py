"""Reads of the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from .codes import SHARED_ELEMENTS
from .content import element_diff
from .models import Implementation, StandardVersion, Status


@dataclass(frozen=True)
class Deviation:
    """One element in which a region's implementation differs from the city standard text."""

    implementation_id: int
    region_code: str
    region_name: str
    item_code: str
    item_name: str
    element: str
    element_label: str
    standard_value: Any
    implementation_value: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "region": self.region_code,
            "region_name": self.region_name,
            "item_code": self.item_code,
            "item_name": self.item_name,
            "element": self.element,
            "element_label": self.element_label,
            "standard": self.standard_value,
            "implementation": self.implementation_value,
        }


def published_contents() -> dict[int, dict[str, Any]]:
    """Every published standard text's content, by item id (one query)."""
    from .services import VERSION_FIELDS

    rows = StandardVersion.objects.filter(status=Status.PUBLISHED).select_related("item", "department")
    out = {}
    for v in rows.only(
        *VERSION_FIELDS, "item__basic_code", "item__handling_code", "item__code", "department__name"
    ):
        data = {f: getattr(v, f) for f in VERSION_FIELDS}
        data["basic_code"], data["handling_code"] = v.item.basic_code, v.item.handling_code
        data["department"] = v.department.name
        out[v.item_id] = data
    return out


def catalog_audit(region_ids: frozenset[int] | None = None) -> list[Deviation]:
    """The two-level audit (两级十同核查): every deviation of every implementation, element by element."""
    standards = published_contents()
    impls = Implementation.objects.exclude(declared__isnull=True).select_related("region", "standard")
    if region_ids is not None:
        impls = impls.filter(region_id__in=region_ids)
    found = []
    for impl in impls.order_by("standard__code", "region__code").iterator(chunk_size=500):
        standard = standards.get(impl.standard_id)
        if standard is None:
            continue
        for element, ours, theirs in element_diff(standard, impl.declared):
            found.append(
                Deviation(
                    implementation_id=impl.pk,
                    region_code=impl.region.code,
                    region_name=impl.region.name,
                    item_code=impl.standard.code,
                    item_name=standard["sub_item_name"] or standard["name"],
                    element=element,
                    element_label=SHARED_ELEMENTS[element],
                    standard_value=ours,
                    implementation_value=theirs,
                )
            )
    return found


def published_versions() -> QuerySet[StandardVersion]:
    return StandardVersion.objects.filter(status=Status.PUBLISHED).select_related("item", "department")


def implementation_with_version(implementation_id: int, *, include_unpublished: bool = False):
    """(implementation, its standard's published version), or (None, None).

    Public readers see published implementations only; staff (``include_unpublished``) also
    see drafts, never retired ones. Either way the standard must have a published version.
    """
    from .services import published_version

    impl = (
        Implementation.objects.select_related("standard", "region", "department")
        .filter(pk=implementation_id)
        .first()
    )
    if impl is None or impl.status == Status.RETIRED:
        return None, None
    if not include_unpublished and impl.status != Status.PUBLISHED:
        return None, None
    version = published_version(impl.standard)
    return (impl, version) if version is not None else (None, None)


def latest_versions(
    *, q: str = "", zone: str = "", status: str = ""
) -> tuple[list[StandardVersion], dict[int, int]]:
    """The latest version of each standard text (filtered), and the published version number by item."""
    from . import codes

    versions = StandardVersion.objects.select_related("item", "department").order_by("item__code", "-number")
    if q:
        versions = versions.filter(
            Q(name__contains=q) | Q(sub_item_name__contains=q) | Q(item__code__contains=q.upper())
        )
    if zone in codes.ZONES:
        versions = versions.filter(zone=zone)
    latest: dict[int, StandardVersion] = {}
    published: dict[int, int] = {}
    for v in versions:
        latest.setdefault(v.item_id, v)
        if v.status == Status.PUBLISHED:
            published[v.item_id] = v.number
    return [v for v in latest.values() if not status or v.status == status], published


def published_implementation_counts() -> dict[int, int]:
    """Published implementations per standard text."""
    return dict(
        Implementation.objects.filter(status=Status.PUBLISHED)
        .values_list("standard_id")
        .annotate(n=Count("id"))
    )
