"""The audit trail: one append-only row per change, written inside the change's transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterable

from django.db import models
from django.db.models.fields.files import FieldFile

from .context import current_request_id, current_request_ip
from .labels import ACTION_LABELS, action_label, field_label, register_action_labels
from .masking import mask_phone, mask_resident_id
from .models import AuditEvent

# The labels live in .labels (models.py reads them without importing this module); they stay
# importable from here, where the apps register theirs.
__all__ = [
    "ACTION_LABELS",
    "action_label",
    "audit_record",
    "changed",
    "field_label",
    "history",
    "object_type",
    "region_of",
    "register_action_labels",
    "snapshot",
]


def _mask_for(field_name: str) -> Callable[[str], str] | None:
    """How a field's value is masked in the trail, judged by its name (None: kept as is).

    Names ending in ``resident_id`` / ``_id_number`` (including ``legal_representative_id``)
    hold resident IDs; names ending in ``phone`` / ``mobile`` hold phone numbers. Credit codes
    are public registration data and stay readable.
    """
    if field_name.endswith(("resident_id", "_id_number")) or field_name == "legal_representative_id":
        return mask_resident_id
    if field_name.endswith(("phone", "mobile")):
        return mask_phone
    return None


_SKIP = {"id", "password", "created_at", "updated_at", "last_login"}


def object_type(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The object's concrete field values as JSON-ready data, identifiers masked."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in _SKIP or (fields is not None and field.name not in fields):
            continue
        value = _plain(getattr(obj, field.attname))
        mask = _mask_for(field.name)
        data[field.name] = mask(value) if (mask and value) else value
    return data


def region_of(obj: models.Model) -> int | None:
    """The region the object lies in, for scoping its audit trail: the object's own
    ``audit_region_id`` when its model defines one, else its ``region`` foreign key, else its
    hall's region. None when the object has no region (a city-level record)."""
    hook = getattr(type(obj), "audit_region_id", None)
    if hook is not None:
        value = obj.audit_region_id
        return int(value) if value is not None else None
    fields = {f.name: f for f in obj._meta.concrete_fields}
    if "region" in fields and fields["region"].is_relation:
        return getattr(obj, "region_id", None)
    if "hall" in fields and fields["hall"].is_relation and obj.hall_id is not None:
        return getattr(obj.hall, "region_id", None)
    return None


def changed(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keeps only the keys whose values differ (all keys on create or delete)."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def actor_user(actor):
    """The logged-in user behind an actor, or None for a label (a tool, a system task)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def actor_label(actor) -> str:
    """How an event names its actor: the user's display name (or login), else the label given,
    else 系统. Every app's event rows use this one rule."""
    user = actor_user(actor)
    if user is not None:
        return getattr(user, "display_name", "") or user.get_username()
    return str(actor) if actor else "系统"


def audit_record(
    *,
    actor,
    obj: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Appends one event. Call it inside the transaction that makes the change."""
    before, after = changed(before, after)
    user = actor_user(actor)
    label = actor_label(actor) if user is not None or isinstance(actor, str) else ""
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label or "系统",
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        reason=reason[:200],
        request_id=current_request_id.get() if current_request_id.get() != "-" else "",
        ip=current_request_ip.get(),
        region_id=region_of(obj),
    )


def history(obj: models.Model):
    return AuditEvent.objects.filter(object_type=object_type(obj), object_id=str(obj.pk)).select_related(
        "actor"
    )
