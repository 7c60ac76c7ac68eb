"""Read-only admin views of cases: every change goes through the services (and their events)."""

from django.contrib import admin

from banhao.org.api import ScopedAuditedAdmin

from .models import Case, CaseEvent, Pause


class ReadOnly(ScopedAuditedAdmin):
    permission = "cases.view"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["at", "actor_label", "action", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = [
        "number",
        "status",
        "warning",
        "department",
        "accepted_on",
        "promised_due",
        "submitted_at",
    ]
    list_filter = ["status", "warning", "channel", "region"]
    search_fields = ["number"]
    exclude = ["form_data", "contact_phone"]
    inlines = [EventInline]


@admin.register(Pause)
class PauseAdmin(ReadOnly):
    region_field = "case__region"
    list_display = ["case", "kind", "started_on", "expected_days", "ended_on"]
    list_filter = ["kind"]
