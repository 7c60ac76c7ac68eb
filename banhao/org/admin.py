from django.contrib import admin

from . import admin_core  # noqa: F401  (registers the kernel's admin pages)
from .admin_base import ScopedAuditedAdmin
from .models import Department, Hall, Region, StaffMember, Window, Zone


@admin.register(Region)
class RegionAdmin(ScopedAuditedAdmin):
    region_field = "id"
    list_display = ["code", "name", "level", "parent", "order"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(ScopedAuditedAdmin):
    list_display = ["name", "short_name", "credit_code", "region", "phone", "active"]
    list_filter = ["region", "active"]
    search_fields = ["name", "credit_code"]


class ZoneInline(admin.TabularInline):
    model = Zone
    extra = 0


@admin.register(Hall)
class HallAdmin(ScopedAuditedAdmin):
    permission = "org.manage_hall"
    list_display = ["name", "region", "address", "phone"]
    list_filter = ["region"]
    inlines = [ZoneInline]


@admin.register(Zone)
class ZoneAdmin(ScopedAuditedAdmin):
    permission = "org.manage_hall"
    region_field = "hall__region"
    list_display = ["hall", "name", "kind", "letter", "floor", "slot_capacity", "bookable", "takes_tickets"]
    list_filter = ["hall", "kind"]


@admin.register(Window)
class WindowAdmin(ScopedAuditedAdmin):
    permission = "org.manage_hall"
    region_field = "hall__region"
    list_display = ["hall", "number", "kind", "zone", "active"]
    list_filter = ["hall", "kind", "active"]
    filter_horizontal = ["departments", "skills"]


@admin.register(StaffMember)
class StaffMemberAdmin(ScopedAuditedAdmin):
    list_display = ["employee_no", "name", "role", "region", "department", "hall", "window", "active"]
    list_filter = ["role", "region", "active"]
    search_fields = ["name", "employee_no", "user__username"]
    raw_id_fields = ["user"]
