"""The measures of 责任追究 in the admin (data, not code): kept by administrators, audited.
A measure in use is switched off rather than deleted (the records keep it: PROTECT)."""

from django.contrib import admin

from banhao.org.api import ScopedAuditedAdmin

from .models_complaints import AccountabilityMeasure


@admin.register(AccountabilityMeasure)
class AccountabilityMeasureAdmin(ScopedAuditedAdmin):
    permission = "org.manage"
    region_field = None
    list_display = ("name", "code", "severity", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("active",)
    search_fields = ("name", "code")

    def has_delete_permission(self, request, obj=None):
        from .models_complaints import AccountabilityRecord

        if obj is not None and AccountabilityRecord.objects.filter(measure=obj).exists():
            return False
        return super().has_delete_permission(request, obj)
