"""Admin classes that enforce role AND data scope, and audit every change.

Django's own model permissions are not used: the administrator role grants the admin,
and the region scope limits both the rows listed and the choices offered in forms.
"""

from django.contrib import admin

from banhao.core.audit import audit_record, snapshot

from .scope import scope_for_user


class ScopedAuditedAdmin(admin.ModelAdmin):
    permission = "org.manage"
    region_field: str | None = "region"  # path from the model to its Region; None = not scoped
    scoped_fk = {  # foreign keys whose choices are limited to the scope, and their region path
        "region": "id",
        "parent": "id",
        "department": "region",
        "hall": "region",
        "zone": "hall__region",
        "window": "hall__region",
    }

    def _scope(self, request):
        return scope_for_user(request.user)

    def _allowed(self, request) -> bool:
        if request.user.is_superuser:
            return True
        scope = self._scope(request)
        return scope is not None and scope.can(self.permission)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = self._scope(request)
        if self.region_field and scope is not None and not request.user.is_superuser:
            qs = scope.filter(qs, region_field=self.region_field)
        return qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        scope = self._scope(request)
        path = self.scoped_fk.get(db_field.name)
        if field is not None and path and scope is not None and not request.user.is_superuser:
            field.queryset = scope.filter(field.queryset, region_field=path)
        return field

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        action = f"{obj._meta.app_label}.{obj._meta.model_name}_{'change' if change else 'add'}"
        audit_record(actor=request.user, obj=obj, action=action, before=before, after=snapshot(obj))

    def delete_model(self, request, obj):
        audit_record(
            actor=request.user,
            obj=obj,
            action=f"{obj._meta.app_label}.{obj._meta.model_name}_delete",
            before=snapshot(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
