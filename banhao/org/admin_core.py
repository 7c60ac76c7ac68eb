"""Admin pages of the kernel (working-day calendar, audit trail).

They are registered here, not in banhao.core, because who may use them is decided by role
and data scope, which the org app owns; the kernel depends on no domain app.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404

from banhao.core import calendar, services
from banhao.core.models import AuditEvent, CalendarDay, CalendarYear

from .admin_base import ScopedAuditedAdmin
from .models import Region


class CalendarAdminBase(ScopedAuditedAdmin):
    permission = "calendar.manage"
    region_field = None

    def changelist_view(self, request, extra_context=None):
        for year in calendar.missing_years():
            self.message_user(
                request,
                f"{year}年节假日安排尚未录入：该年期限暂按周末双休推算。请录入节假日和调休上班日后，在「工作日历年度」中发布{year}年。",
                level=messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdminBase):
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind", ("date", admin.DateFieldListFilter)]
    date_hierarchy = "date"
    search_fields = ["name"]

    @admin.display(description="星期")
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        try:
            services.calendar_day_set(actor=request.user, date=obj.date, kind=obj.kind, name=obj.name)
        except ValidationError as e:
            self.message_user(request, "；".join(e.messages), level=messages.ERROR)

    def delete_model(self, request, obj):
        services.calendar_day_clear(actor=request.user, date=obj.date)


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAdminBase):
    list_display = ["year", "source", "updated_at"]

    def save_model(self, request, obj, form, change):
        services.calendar_year_publish(actor=request.user, year=obj.year, source=obj.source)


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAuditedAdmin):
    """Read-only: the trail can be searched but never edited or deleted.

    Scoped like everything else: an administrator below city level sees the events of objects
    in their region (``AuditEvent.region_id``, filled by core.audit.region_of); events of
    objects without a region are for the city level. An event outside the scope answers 404."""

    permission = "audit.view"
    region_field = "region_id"
    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "region_name", "request_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor_label", "request_id", "object_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_view_permission(self, request, obj=None):
        # Whole-trail search is for administrators; others read one object's history on its page.
        scope = self._scope(request)
        return request.user.is_superuser or (scope is not None and scope.role == "administrator")

    has_module_permission = has_view_permission

    def get_queryset(self, request):
        names = Region.objects.filter(pk=OuterRef("region_id")).values("name")[:1]
        return super().get_queryset(request).annotate(_region_name=Subquery(names))

    @admin.display(description="所属地区", ordering="region_id")
    def region_name(self, obj):
        return getattr(obj, "_region_name", None) or ("" if obj.region_id else "市级")

    def _in_scope_or_404(self, request, object_id):
        found = str(object_id).isdigit() and self.get_queryset(request).filter(pk=int(object_id)).exists()
        if not found:
            raise Http404("审计事件不存在或不在您的数据范围内。")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
