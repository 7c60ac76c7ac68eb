"""Admin of projects and tracks (administrators; every change audited through
ScopedAuditedAdmin). A published track version and its stages and items are read-only: copy it
into a new version on the 审批路线 page (or here with the action) and publish that."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from banhao.org.api import ScopedAuditedAdmin

from . import services
from .models import Project, Stage, StageItem, StageRun, Track, TrackVersion


class TrackAdminBase(ScopedAuditedAdmin):
    permission = "projects.tracks"
    region_field = None


class _Locked:
    """Inlines of a published version are read-only."""

    def _locked(self, obj):
        version = getattr(obj, "version", obj)
        return version is not None and getattr(version, "is_published", False)

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj)


@admin.register(Track)
class TrackAdmin(TrackAdminBase):
    list_display = ("name", "key", "investment_kind", "simple_low_risk", "small_only", "priority", "active")
    list_filter = ("investment_kind", "simple_low_risk", "small_only", "active")


class StageInline(_Locked, admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("order", "name", "covers", "lead_department", "limit_days")
    show_change_link = True


@admin.register(TrackVersion)
class TrackVersionAdmin(TrackAdminBase):
    list_display = ("track", "number", "status", "main_limit_days", "whole_limit_days", "published_at")
    list_filter = ("status", "track")
    readonly_fields = ("status", "published_at")
    inlines = [StageInline]
    actions = ["copy_as_new", "publish"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_published)

    @admin.action(description="复制为新版本")
    def copy_as_new(self, request, queryset):
        for v in queryset:
            try:
                draft = services.version_copy(actor=request.user, version=v)
            except ValidationError as e:
                self.message_user(request, "；".join(e.messages), messages.ERROR)
            else:
                self.message_user(request, f"已复制为{draft}。", messages.SUCCESS)

    @admin.action(description="发布")
    def publish(self, request, queryset):
        for v in queryset:
            try:
                services.version_publish(actor=request.user, version=v)
            except ValidationError as e:
                self.message_user(request, f"{v}：" + "；".join(e.messages), messages.ERROR)
            else:
                self.message_user(request, f"已发布{v}。", messages.SUCCESS)


class StageItemInline(_Locked, admin.TabularInline):
    model = StageItem
    extra = 0
    fields = ("implementation", "parallel", "order")
    raw_id_fields = ("implementation",)


@admin.register(Stage)
class StageAdmin(TrackAdminBase):
    list_display = ("__str__", "version", "lead_department", "limit_days")
    list_filter = ("version__track",)
    inlines = [StageItemInline]
    scoped_fk = {}

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (
            obj is not None and obj.version.is_published
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (
            obj is not None and obj.version.is_published
        )

    def has_add_permission(self, request):
        return False  # stages are added on their draft version's page


class StageRunInline(admin.TabularInline):
    model = StageRun
    extra = 0
    fields = ("stage", "status", "review", "opened_on", "done_on", "case_group_id")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ScopedAuditedAdmin):
    permission = "projects.view"
    list_display = ("name", "code", "owner_name", "region", "investment_kind", "key_level", "registered_at")
    list_filter = ("investment_kind", "use_kind", "key_level", "simple_low_risk")
    search_fields = ("code", "name", "owner_name")
    readonly_fields = (
        "code", "owner_organization_id", "owner_name", "owner_credit_code", "region", "track_version", "registered_at",
    )  # fmt: skip
    inlines = [StageRunInline]

    def has_add_permission(self, request):
        return False  # projects are registered by their owners (or, next, a helper under a mandate)

    def has_delete_permission(self, request, obj=None):
        return False
