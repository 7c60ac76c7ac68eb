"""Administrators' read-only view of the 12345 part: the case callbacks and the hotline tickets
of their regions. They change only through the hotline pages and the API (callbacks.py,
tickets.py), each step audited."""

from django.contrib import admin

from banhao.org.api import ScopedAuditedAdmin

from .models_hotline import Callback, HotlineTicket


class _ReadOnly(ScopedAuditedAdmin):
    permission = "org.manage"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Callback)
class CallbackAdmin(_ReadOnly):
    list_display = ["case_number", "item", "department", "reason", "status", "tries", "score", "due_on"]
    list_filter = ["status", "reason"]
    search_fields = ["case_number", "item"]
    exclude = ["phone"]  # masked everywhere; the whole number only through the audited reveal


@admin.register(HotlineTicket)
class HotlineTicketAdmin(_ReadOnly):
    list_display = ["number", "kind", "title", "department", "status", "answer_due", "rehandle_count"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "title"]
    exclude = ["caller_phone"]
