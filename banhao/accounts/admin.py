from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from banhao.core.audit import audit_record, snapshot
from banhao.org.api import scope_for_user

from .models import LoginAttempt, User


def _city_administrator(request) -> bool:
    if request.user.is_superuser:
        return True
    scope = scope_for_user(request.user)
    return scope is not None and scope.role == "administrator" and scope.is_city_wide


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "kind", "is_active", "last_login"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "display_name"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("平台信息", {"fields": ("kind", "display_name", "phone")}))

    def has_module_permission(self, request):
        return _city_administrator(request)

    def has_view_permission(self, request, obj=None):
        return _city_administrator(request)

    def has_add_permission(self, request):
        return _city_administrator(request)

    def has_change_permission(self, request, obj=None):
        return _city_administrator(request)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted (the audit trail points at them)

    def save_model(self, request, obj, form, change):
        before = snapshot(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            obj=obj,
            action=f"accounts.user_{'change' if change else 'add'}",
            before=before,
            after=snapshot(obj),
        )


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    # The typed name is often a mobile number: shown masked on the list and the detail page. A
    # search by the full number still finds its attempts.
    list_display = ["at", "masked_username", "ip", "success"]
    list_filter = ["success"]
    search_fields = ["username", "ip"]
    fields = ["at", "masked_username", "ip", "success"]
    readonly_fields = fields

    @admin.display(description="登录名（脱敏）", ordering="username")
    def masked_username(self, obj):
        return obj.masked_username

    def has_module_permission(self, request):
        return _city_administrator(request)

    def has_view_permission(self, request, obj=None):
        return _city_administrator(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
