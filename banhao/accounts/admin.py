from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError

from banhao.core.audit import audit_record, snapshot
from banhao.org.api import ScopedAuditedAdmin, scope_for_user

from . import clients
from .models import ApiCall, ApiClient, LoginAttempt, User


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


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label="接口权限", choices=clients.SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiClient
        fields = ["name", "organisation", "user", "scopes", "rate_limit_per_minute", "active"]

    def clean(self):
        data = super().clean()
        if data.get("user") is not None and data.get("rate_limit_per_minute") is not None:
            try:
                clients.api_client_check(
                    user=data["user"],
                    scopes=data.get("scopes") or [],
                    rate_limit_per_minute=data["rate_limit_per_minute"],
                )
            except ValidationError as e:
                for field, errors in e.message_dict.items():
                    self.add_error(field, errors)
        return data


@admin.register(ApiClient)
class ApiClientAdmin(ScopedAuditedAdmin):
    """Administrators register other systems' clients within their region (the region of the
    client's service account). The token is shown once, on creation and on rotation."""

    form = ApiClientForm
    region_field = "user__staff__region"
    scoped_fk = {**ScopedAuditedAdmin.scoped_fk, "user": "staff__region"}
    list_display = [
        "name",
        "organisation",
        "user",
        "scope_list",
        "rate_limit_per_minute",
        "active",
        "last_used_at",
    ]
    list_filter = ["active"]
    search_fields = ["name", "organisation", "token_prefix"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke", "rotate_token"]

    @admin.display(description="接口权限")
    def scope_list(self, obj):
        return "、".join(obj.scopes or [])

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the call log points at it

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and field is not None:
            field.queryset = field.queryset.filter(kind=User.Kind.STAFF, staff__isnull=False)
        return field

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in ApiClientForm.Meta.fields}
        if change:
            clients.api_client_update(actor=request.user, client=obj, **data)
            return
        data.pop("active")
        saved, token = clients.api_client_create(actor=request.user, **data)
        obj.pk = saved.pk
        self.message_user(
            request,
            f"客户端“{saved.name}”的接口令牌（仅显示这一次，请立即交给对方系统妥善保存）：{token}",
            messages.WARNING,
        )

    @admin.action(description="停用所选客户端（令牌立即失效）")
    def revoke(self, request, queryset):
        for client in queryset:
            clients.api_client_revoke(actor=request.user, client=client, reason="后台停用")
        self.message_user(request, f"已停用{queryset.count()}个客户端。", messages.SUCCESS)

    @admin.action(description="更换所选客户端的令牌（旧令牌立即失效）")
    def rotate_token(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个客户端更换令牌。", messages.ERROR)
            return
        client = queryset.get()
        token = clients.api_client_rotate(actor=request.user, client=client)
        self.message_user(
            request, f"客户端“{client.name}”的新令牌（仅显示这一次）：{token}", messages.WARNING
        )


@admin.register(ApiCall)
class ApiCallAdmin(ScopedAuditedAdmin):
    """The call log: read-only, scoped by the client's region."""

    region_field = "client__user__staff__region"
    list_display = ["at", "client", "method", "path", "status", "request_id", "duration_ms"]
    list_filter = ["status", "method"]
    search_fields = ["path", "request_id", "client__name"]
    fields = ["at", "client", "method", "path", "status", "request_id", "ip", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
