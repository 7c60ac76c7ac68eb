"""Admin of the selection rounds: read-only (every change goes through the round's page and its
audited services; see docs/selection.md)."""

from __future__ import annotations

from django.contrib import admin

from banhao.org.api import ScopedAuditedAdmin, scope_for_user

from .models_selection import Nomination, SelectionCandidate, SelectionReview, SelectionRound


class _ReadOnly(ScopedAuditedAdmin):
    permission = "org.manage"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CandidateInline(admin.TabularInline):
    model = SelectionCandidate
    extra = 0
    fields = (
        "rank",
        "subject_label",
        "group_label",
        "score",
        "periods_counted",
        "eligible",
        "exclusion_reason",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # the round's admin decides who opens it (org.manage, in scope); Django's model
        # permissions are not used in this house
        scope = scope_for_user(request.user)
        return request.user.is_superuser or (scope is not None and scope.can("org.manage"))


@admin.register(SelectionRound)
class SelectionRoundAdmin(_ReadOnly):
    list_display = ("title", "kind", "period", "region", "places", "status", "published_on")
    list_filter = ("kind", "status")
    inlines = [CandidateInline]


@admin.register(Nomination)
class NominationAdmin(_ReadOnly):
    region_field = "round__region"
    list_display = ("candidate", "round", "nominated_by", "selected", "outcome_note")


@admin.register(SelectionReview)
class SelectionReviewAdmin(_ReadOnly):
    region_field = "nomination__round__region"
    list_display = ("nomination", "kind", "reviewer_label", "approve", "comment", "created_at")
