"""The outbox for administrators: every message with its state, failures first to find.

Read-only: messages change only through the services (an administrator may send a failed one
again, which is audited)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from banhao.core.masking import mask_phone
from banhao.org.api import ScopedAuditedAdmin

from . import services
from .models import Message


@admin.register(Message)
class MessageAdmin(ScopedAuditedAdmin):
    permission = "org.manage"
    region_field = None
    list_display = [
        "created_at",
        "channel",
        "recipient",
        "short_text",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["dedupe_key", "title"]
    date_hierarchy = "created_at"
    fields = [
        "dedupe_key", "channel", "recipient", "title", "text", "link", "status", "attempts",
        "next_attempt_at", "claimed_at", "sent_at", "failed_at", "last_error", "task_id", "created_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["retry_failed"]

    @admin.display(description="接收人")
    def recipient(self, obj):
        return mask_phone(obj.phone) if obj.channel == Message.Channel.SMS else f"账户 {obj.user_id}"

    @admin.display(description="内容")
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 40 else obj.text[:40] + "…"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        failed = services.failed_count()
        if failed:
            self.message_user(
                request,
                f"有 {failed} 条消息多次发送失败后已停止重试，请检查短信网关后选中并「重新发送」。",
                level=messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.action(description="重新发送选中的失败消息")
    def retry_failed(self, request, queryset):
        done = 0
        for pk in queryset.filter(status=Message.Status.FAILED).values_list("pk", flat=True):
            try:
                services.message_retry(actor=request.user, message_id=pk)
                done += 1
            except ValidationError:
                pass
        self.message_user(request, f"已重新排队发送 {done} 条消息。")
