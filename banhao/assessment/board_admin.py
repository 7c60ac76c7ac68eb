"""Admin of the 红蓝榜 records: read-only (the pages and services are the only way to move a
board or a task). Imported at the end of admin.py."""

from django.contrib import admin

from .admin import ReadOnlyAdmin
from .models_boards import BoardEvent, BoardRectification


@admin.register(BoardRectification)
class BoardRectificationAdmin(ReadOnlyAdmin):
    list_display = ("window_label", "period", "status", "opened_on", "due_on", "on_time")
    list_filter = ("status", "period")


@admin.register(BoardEvent)
class BoardEventAdmin(ReadOnlyAdmin):
    list_display = ("score_set", "rectification", "action", "from_status", "to_status", "actor_label", "at")
    list_filter = ("action",)
