"""学习培训 in the admin: courses and sessions of one's regions for hall managers and supervisors
(training.manage), every change audited (ScopedAuditedAdmin); the study records, attendance and
credited hours read-only — they change only through the training pages (training.py)."""

from django.contrib import admin

from banhao.org.api import ScopedAuditedAdmin

from .models_training import Attendance, Course, StudyRecord, TrainingCredit, TrainingSession


@admin.register(Course)
class CourseAdmin(ScopedAuditedAdmin):
    permission = "training.manage"
    list_display = ["title", "kind", "credit_hours", "reading_minutes", "required", "published", "region"]
    list_filter = ["kind", "required", "published"]
    search_fields = ["title"]
    exclude = ["material", "material_name", "created_by"]  # the PDF goes through the page's checks
    filter_horizontal = ["audience_regions", "audience_departments"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        scope = self._scope(request)
        if field is not None and scope is not None and not request.user.is_superuser:
            path = {"audience_regions": "id", "audience_departments": "region"}.get(db_field.name)
            if path:
                field.queryset = scope.filter(field.queryset, region_field=path)
        return field


@admin.register(TrainingSession)
class TrainingSessionAdmin(ScopedAuditedAdmin):
    permission = "training.manage"
    list_display = ["course", "starts_at", "place", "hours", "organiser", "capacity"]
    scoped_fk = {**ScopedAuditedAdmin.scoped_fk, "organiser": "region"}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        scope = self._scope(request)
        if (
            db_field.name == "course"
            and field is not None
            and scope is not None
            and not request.user.is_superuser
        ):
            field.queryset = field.queryset.filter(region_id__in=scope.region_ids, kind="session")
        return field


class _ReadOnly(ScopedAuditedAdmin):
    permission = "training.manage"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StudyRecord)
class StudyRecordAdmin(_ReadOnly):
    region_field = "course__region"
    list_display = ["course", "staff", "started_at", "confirmed_at"]


@admin.register(Attendance)
class AttendanceAdmin(_ReadOnly):
    region_field = "session__region"
    list_display = ["session", "staff", "status", "reason", "recorded_at"]
    list_filter = ["status"]


@admin.register(TrainingCredit)
class TrainingCreditAdmin(_ReadOnly):
    region_field = "course__region"
    list_display = ["staff", "course", "session", "hours", "earned_on"]
