from django.contrib import admin

from banhao.org.api import ScopedAuditedAdmin

from .models import ScheduledRun


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ScopedAuditedAdmin):
    permission = "org.manage"
    region_field = None
    list_display = ["name", "slot", "enqueued_at", "task_id"]
    list_filter = ["name"]
    readonly_fields = ["name", "slot", "enqueued_at", "task_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
