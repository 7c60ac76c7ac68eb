"""Writes to the catalog: standard-text versions, their life cycle, and implementations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from banhao.core.audit import audit_record, snapshot
from banhao.org.api import city_region_code, department_id_by_name, region_id_by_code

from . import search, states
from .content import element_diff, validate_content
from .models import Implementation, StandardItem, StandardVersion, Status

# Version fields filled straight from cleaned content (everything but codes and department).
VERSION_FIELDS = [
    "name",
    "sub_item_name",
    "item_type",
    "legal_bases",
    "materials",
    "steps",
    "fee",
    "promised_days",
    "form_fields",
    "handling_name",
    "statutory_days",
    "zone",
    "level",
    "service_objects",
    "themes",
    "keywords",
    "conditions",
    "situations",
    "case_type",
    "visits",
    "visit_reason",
    "online_depth",
    "booking",
    "post",
    "online_payment",
    "scope",
    "result_name",
    "result_is_licence",
    "result_delivery",
    "consult_phone",
    "complaint_phone",
    "faq",
]


def version_content(version: StandardVersion) -> dict[str, Any]:
    """A version's elements as cleaned content (the inverse of `_apply`)."""
    data = {f: getattr(version, f) for f in VERSION_FIELDS}
    data["basic_code"] = version.item.basic_code
    data["handling_code"] = version.item.handling_code
    data["department"] = version.department.name
    return data


def _department_id(name: str, region_code: str) -> int:
    dept_id = department_id_by_name(name, region_code)
    if dept_id is None:
        raise ValidationError({"department": [f"找不到部门“{name}”。"]})
    return dept_id


def _apply(version: StandardVersion, content: dict[str, Any], department_id: int) -> None:
    for f in VERSION_FIELDS:
        setattr(version, f, content[f])
    version.department_id = department_id


def _latest(item: StandardItem) -> StandardVersion | None:
    return item.versions.select_related("item", "department").order_by("-number").first()


@transaction.atomic
def standard_save(
    *, actor, data: dict[str, Any], change_note: str = "", new_only: bool = False
) -> tuple[StandardVersion, str]:
    """Creates or updates a standard text from content; returns (version, what happened).

    ``new_only`` (the "新建" screen) refuses a code that already exists instead of revising it.

    What happened is "created" (a new standard text), "new_version" (content changed since
    the latest version, which was no longer a draft), "updated" (the latest draft changed) or
    "unchanged" (identical content: nothing written, so a re-import never duplicates).
    """
    content = validate_content(data)
    city = city_region_code()
    if city is None:
        raise ValidationError("尚未配置行政区域，无法保存标准化文本。")
    department_id = _department_id(content["department"], city)
    code = f"{content['basic_code']}-{content['handling_code']}"
    item = StandardItem.objects.select_for_update().filter(code=code).first()
    if item is not None and new_only:
        raise ValidationError({"basic_code": ["该编码的标准化文本已存在，请在其页面中修订。"]})
    if item is None:
        item = StandardItem.objects.create(
            code=code,
            basic_code=content["basic_code"],
            handling_code=content["handling_code"],
            region_id=region_id_by_code(city),
        )
        latest = None
    else:
        latest = _latest(item)
    if latest is not None and version_content(latest) == content:
        return latest, "unchanged"
    published = published_version(item) if latest is not None else None
    if published is not None and published.pk != latest.pk and version_content(published) == content:
        # Content still showing the published text (e.g. an older export re-imported) leaves a
        # newer draft alone instead of overwriting it.
        return published, "unchanged"
    if latest is not None and latest.status == Status.DRAFT:
        before = snapshot(latest)
        _apply(latest, content, department_id)
        latest.change_note = change_note or latest.change_note
        latest.full_clean(exclude=["item", "department", "created_by"])
        latest.save()
        audit_record(
            actor=actor, obj=latest, action="catalog.version_update", before=before, after=snapshot(latest)
        )
        return latest, "updated"
    version = StandardVersion(item=item, number=(latest.number + 1) if latest else 1, change_note=change_note)
    if getattr(actor, "is_authenticated", False):
        version.created_by = actor
    _apply(version, content, department_id)
    version.full_clean(exclude=["item", "department", "created_by"])
    version.save()
    audit_record(actor=actor, obj=version, action="catalog.version_create", after=snapshot(version))
    return version, ("new_version" if latest else "created")


@transaction.atomic
def version_submit(*, actor, version: StandardVersion) -> StandardVersion:
    return _move(actor, version, "submit")


@transaction.atomic
def version_return(*, actor, version: StandardVersion, reason: str) -> StandardVersion:
    if not reason.strip():
        raise ValidationError("退回时请说明原因。")
    return _move(actor, version, "return", reason=reason)


@transaction.atomic
def version_publish(
    *, actor, version: StandardVersion, effective_from: dt.date | None = None
) -> StandardVersion:
    """Publishes a version; the version published before it is retired the day before."""
    effective_from = effective_from or timezone.localdate()
    version = StandardVersion.objects.select_for_update().get(pk=version.pk)
    current = (
        StandardVersion.objects.select_for_update()
        .filter(item_id=version.item_id, status=Status.PUBLISHED)
        .exclude(pk=version.pk)
        .first()
    )
    if current is not None:
        before = snapshot(current)
        current.status = states.transition(current.status, "retire")
        current.effective_to = effective_from - dt.timedelta(days=1)
        current.save()
        audit_record(
            actor=actor,
            obj=current,
            action="catalog.version_retire",
            before=before,
            after=snapshot(current),
            reason=f"被第{version.number}版取代",
        )
    version = _move(actor, version, "publish", effective_from=effective_from)
    search.refresh_item(version.item_id)
    return version


@transaction.atomic
def version_retire(*, actor, version: StandardVersion, reason: str = "") -> StandardVersion:
    version = _move(actor, version, "retire", reason=reason, effective_to=timezone.localdate())
    search.refresh_item(version.item_id)
    return version


def _move(actor, version, action, *, reason="", effective_from=None, effective_to=None):
    version = StandardVersion.objects.select_for_update().get(pk=version.pk)
    before = snapshot(version)
    version.status = states.transition(version.status, action)
    if effective_from is not None:
        version.effective_from = effective_from
        version.effective_to = None
    if effective_to is not None:
        version.effective_to = effective_to
    version.save()
    audit_record(
        actor=actor,
        obj=version,
        action=f"catalog.version_{action}",
        before=before,
        after=snapshot(version),
        reason=reason,
    )
    return version


# --- implementations ----------------------------------------------------------------------

LOCAL_FIELDS = ["address", "phone", "office_hours", "windows"]
KEEP = object()  # implementation_save: leave the declared element set as it is


def published_version(item: StandardItem) -> StandardVersion | None:
    return item.versions.filter(status=Status.PUBLISHED).select_related("item", "department").first()


@transaction.atomic
def implementation_save(
    *,
    actor,
    standard: StandardItem,
    region_code: str,
    department: str,
    local: dict[str, str] | None = None,
    declared: dict[str, Any] | object | None = KEEP,
) -> tuple[Implementation, str]:
    """Creates or updates a region's implementation (local fields, and a declared element set).

    ``declared`` is the region's own list of the ten elements (content form) when it was
    imported; it is validated like any content and kept for the audit. ``None`` drops it (the
    region adopts the city text); the default ``KEEP`` leaves whatever is there.
    """
    region_id = region_id_by_code(region_code)
    if region_id is None:
        raise ValidationError({"region": [f"找不到区划代码为“{region_code}”的区域。"]})
    department_id = _department_id(department, region_code)
    local = {k: (local or {}).get(k, "") or "" for k in LOCAL_FIELDS}
    if declared is not None and declared is not KEEP:
        declared = validate_content(declared)
    impl = Implementation.objects.select_for_update().filter(standard=standard, region_id=region_id).first()
    if declared is KEEP:
        declared = impl.declared if impl is not None else None
    if impl is None:
        impl = Implementation(
            standard=standard, region_id=region_id, implementation_code=f"{standard.code}-{region_code}"
        )
        before, outcome = None, "created"
    else:
        before, outcome = snapshot(impl), "updated"
        same = (
            impl.department_id == department_id
            and impl.declared == declared
            and all(getattr(impl, k) == v for k, v in local.items())
        )
        if same:
            return impl, "unchanged"
    impl.department_id = department_id
    impl.declared = declared
    for k, v in local.items():
        setattr(impl, k, v)
    impl.save()
    audit_record(
        actor=actor,
        obj=impl,
        action=f"catalog.implementation_{'create' if before is None else 'update'}",
        before=before,
        after=snapshot(impl),
    )
    search.refresh_item(impl.standard_id)
    return impl, outcome


def implementation_deviations(impl: Implementation) -> list[tuple[str, Any, Any]]:
    """The ten-element differences between an implementation and its published standard."""
    if impl.declared is None:
        return []
    version = published_version(impl.standard)
    if version is None:
        return []
    return element_diff(version_content(version), impl.declared)


@transaction.atomic
def implementation_publish(*, actor, implementation: Implementation) -> Implementation:
    impl = Implementation.objects.select_for_update().select_related("standard").get(pk=implementation.pk)
    if published_version(impl.standard) is None:
        raise ValidationError("该事项的市级标准化文本尚未发布，实施清单不能发布。")
    deviations = implementation_deviations(impl)
    if deviations:
        from .codes import SHARED_ELEMENTS

        names = "、".join(SHARED_ELEMENTS[d[0]] for d in deviations)
        raise ValidationError(
            f"实施清单与市级标准化文本不一致（{names}），请先整改后再发布。", code="deviation"
        )
    before = snapshot(impl)
    impl.status = states.transition(impl.status, "publish")
    impl.save()
    audit_record(
        actor=actor, obj=impl, action="catalog.implementation_publish", before=before, after=snapshot(impl)
    )
    search.refresh_item(impl.standard_id)
    return impl


@transaction.atomic
def implementation_align(*, actor, implementation: Implementation) -> Implementation:
    """Drops the region's own element set: it adopts the city standard text (整改)."""
    impl = Implementation.objects.select_for_update().get(pk=implementation.pk)
    if impl.declared is None:
        return impl
    before = snapshot(impl)
    impl.declared = None
    impl.save()
    audit_record(
        actor=actor,
        obj=impl,
        action="catalog.implementation_update",
        before=before,
        after=snapshot(impl),
        reason="采用市级标准化文本（整改）",
    )
    search.refresh_item(impl.standard_id)
    return impl


@transaction.atomic
def implementation_retire(*, actor, implementation: Implementation, reason: str = "") -> Implementation:
    impl = Implementation.objects.select_for_update().get(pk=implementation.pk)
    before = snapshot(impl)
    impl.status = states.transition(impl.status, "retire")
    impl.save()
    audit_record(
        actor=actor,
        obj=impl,
        action="catalog.implementation_retire",
        before=before,
        after=snapshot(impl),
        reason=reason,
    )
    search.refresh_item(impl.standard_id)
    return impl


MATERIAL_FILE_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def material_file_attach(*, actor, item: StandardItem, material_name: str, kind: str, upload):
    """Attaches (or replaces) the blank form or sample of a material of the latest version."""
    import hashlib
    from pathlib import PurePath

    from banhao.core.uploads import FORMS, check_upload

    from .models import MaterialFile

    latest = _latest(item)
    names = {m["name"] for m in (latest.materials if latest else [])}
    if material_name not in names:
        raise ValidationError({"material_name": ["该事项没有这项申请材料。"]})
    if kind not in MaterialFile.Kind.values:
        raise ValidationError({"kind": ["请选择“空白表格”或“示例样表”。"]})
    file_kind = check_upload(upload, allowed=FORMS, max_bytes=MATERIAL_FILE_MAX_BYTES)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    current = (
        MaterialFile.objects.select_for_update()
        .filter(item=item, material_name=material_name, kind=kind)
        .first()
    )
    before = snapshot(current) if current else None
    record = current or MaterialFile(item=item, material_name=material_name, kind=kind)
    record.original_name = PurePath(upload.name).name[:200]
    record.content_type = file_kind.content_type
    record.size = upload.size
    record.sha256 = digest.hexdigest()
    if getattr(actor, "is_authenticated", False):
        record.uploaded_by = actor
    suffix = PurePath(upload.name).suffix.lower()
    record.file.save(f"{item.code}-{kind}-{record.sha256[:12]}{suffix}", upload, save=False)
    record.save()
    audit_record(
        actor=actor, obj=record, action="catalog.material_file_attach", before=before, after=snapshot(record)
    )
    # A replaced file stays on disk (its name is in the audit trail): nothing is silently lost.
    return record
