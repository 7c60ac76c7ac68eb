"""Admin of the scoring schemes (administrators; every change audited). A published version is
read-only: "复制为新版本" makes the draft that changes it; "发布" publishes a draft."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from banhao.core.audit import audit_record, snapshot
from banhao.org.api import ScopedAuditedAdmin

from . import services
from .models_schemes import Indicator, ManualItem, Scheme, SchemeVersion, Score, ScoreSet


class SchemeAdminBase(ScopedAuditedAdmin):
    permission = "org.manage"
    region_field = None


class VersionInline(admin.TabularInline):
    model = SchemeVersion
    extra = 0
    fields = ("number", "valid_from", "status", "note", "published_at")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Scheme)
class SchemeAdmin(SchemeAdminBase):
    list_display = ("name", "subject_kind", "period_kind", "example", "active")
    list_filter = ("subject_kind", "period_kind", "example", "active")
    inlines = [VersionInline]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("order", "key", "label", "direction", "weight", "full_at", "zero_at", "notes")

    def _locked(self, obj):
        return obj is not None and obj.is_published

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj)


@admin.register(SchemeVersion)
class SchemeVersionAdmin(SchemeAdminBase):
    list_display = ("scheme", "number", "valid_from", "status", "published_at")
    list_filter = ("status", "scheme")
    inlines = [IndicatorInline]
    actions = ["publish", "copy_as_new"]

    def save_formset(self, request, form, formset, change):
        """The indicators are audited one by one, as the version itself is."""
        if formset.model is not Indicator:
            return super().save_formset(request, form, formset, change)
        befores = {o.pk: snapshot(o) for o in formset.get_queryset()}
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit_record(
                actor=request.user, obj=obj, action="assessment.indicator_delete", before=befores.get(obj.pk)
            )
            obj.delete()
        for obj in instances:
            new = obj.pk is None
            obj.save()
            audit_record(
                actor=request.user,
                obj=obj,
                action="assessment.indicator_add" if new else "assessment.indicator_change",
                before=None if new else befores.get(obj.pk),
                after=snapshot(obj),
            )
        formset.save_m2m()

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ("scheme", "number", "valid_from", "status", "note", "published_at", "published_by")
        return ("status", "published_at", "published_by")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_published)

    @admin.action(description="发布所选草稿版本")
    def publish(self, request, queryset):
        for v in queryset:
            try:
                services.scheme_version_publish(actor=request.user, version_id=v.pk)
            except ValidationError as exc:
                self.message_user(request, f"{v}：{'；'.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"已发布 {v}。")

    @admin.action(description="复制为新版本（次月1日起施行的草稿）")
    def copy_as_new(self, request, queryset):
        today = dt.date.today()
        first = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        for v in queryset:
            new = services.scheme_version_copy(actor=request.user, version_id=v.pk, valid_from=first)
            self.message_user(request, f"已复制为 {new}，请修改后发布。")


class ReadOnlyAdmin(SchemeAdminBase):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ManualItem)
class ManualItemAdmin(ReadOnlyAdmin):
    list_display = ("subject_label", "period", "kind", "points", "status", "requested_by", "decided_by")
    list_filter = ("status", "kind", "period")


@admin.register(ScoreSet)
class ScoreSetAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "period", "group_label", "status", "computed_at")
    list_filter = ("status", "subject_kind", "period")


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ("subject_label", "period", "total", "rank")
    list_filter = ("subject_kind", "period")
    exclude = ("details",)


# each part registers its own models (imported for that effect)
from . import admin_selection, board_admin  # noqa: E402,F401
from .admin_training import *  # noqa: E402,F403
