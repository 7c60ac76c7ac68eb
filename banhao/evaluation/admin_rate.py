"""Administrators' view of the pushes to the provincial platform (评价数据推送): which months
went, under which batch id, and the failures. Read-only and city-level: the rows are written
only by export.ratings_push."""

from django.contrib import admin

from banhao.org.api import ScopedAuditedAdmin

from .models import RatingUpload


@admin.register(RatingUpload)
class RatingUploadAdmin(ScopedAuditedAdmin):
    permission = "org.manage"
    region_field = None
    list_display = ["at", "month", "format", "count", "status", "batch_id", "error"]
    list_filter = ["status", "format"]
    search_fields = ["month", "batch_id"]
    fields = list_display
    readonly_fields = fields

    def _allowed(self, request) -> bool:
        scope = self._scope(request)
        return super()._allowed(request) and (
            request.user.is_superuser or (scope is not None and scope.is_city_wide)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
