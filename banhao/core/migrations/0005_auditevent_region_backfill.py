"""Best effort: give the audit events written before 0004 the region of their object.

The rule is core.audit.region_of as data: the object's ``region`` foreign key, else its hall's
region; a region's own events lie in that region. Objects that no longer exist, or that have
no region, keep None (seen at city level only). The trail is append-only in the database
(0002), so the triggers are lifted for this one update and put back in the same transaction.
Models are taken from the migration state by name: the kernel imports no app.
"""

import importlib

from django.db import migrations

append_only = importlib.import_module("banhao.core.migrations.0002_audit_append_only")
CHUNK = 500


def _regions_by_object(model) -> dict[str, int]:
    fields = {f.name: f for f in model._meta.concrete_fields}
    if model._meta.label_lower == "org.region":
        rows = model.objects.values_list("pk", "pk")
    elif "region" in fields and fields["region"].is_relation:
        rows = model.objects.filter(region__isnull=False).values_list("pk", "region_id")
    elif "hall" in fields and fields["hall"].is_relation:
        hall_model = fields["hall"].related_model
        if not any(f.name == "region" for f in hall_model._meta.concrete_fields):
            return {}
        rows = model.objects.filter(hall__region__isnull=False).values_list("pk", "hall__region_id")
    else:
        return {}
    return {str(pk): region_id for pk, region_id in rows}


def forwards(apps, schema_editor):
    # the base manager: the model's own queryset refuses updates in code (append-only)
    events = apps.get_model("core", "AuditEvent")._base_manager
    types = set(events.filter(region_id__isnull=True).values_list("object_type", flat=True))
    if not types:
        return
    append_only.backwards(apps, schema_editor)  # lift the append-only triggers
    try:
        for model in apps.get_models():
            label = model._meta.label_lower
            if label not in types:
                continue
            by_region: dict[int, list[str]] = {}
            for object_id, region_id in _regions_by_object(model).items():
                by_region.setdefault(region_id, []).append(object_id)
            for region_id, object_ids in by_region.items():
                for i in range(0, len(object_ids), CHUNK):
                    events.filter(
                        object_type=label, object_id__in=object_ids[i : i + CHUNK], region_id__isnull=True
                    ).update(region_id=region_id)
    finally:
        append_only.forwards(apps, schema_editor)  # and put them back


class Migration(migrations.Migration):
    dependencies = [("core", "0004_auditevent_region_id")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
