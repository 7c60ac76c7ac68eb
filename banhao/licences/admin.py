from django.contrib import admin

from .models import Licence, LicenceEvent, LicenceType, LicenceUse


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "authority_name", "holder_kind", "validity", "several_allowed", "active"]
    list_filter = ["holder_kind", "validity", "active"]
    search_fields = ["name", "code", "authority_name"]
    filter_horizontal = ["items"]


class EventInline(admin.TabularInline):
    model = LicenceEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "reason", "actor_label", "at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "holder_name", "issuer_name", "issued_on", "valid_until", "status"]
    list_filter = ["status", "type"]
    search_fields = ["identifier", "number", "holder_name", "case_number"]
    inlines = [EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False  # licences are issued by approved cases, never typed in

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LicenceUse)
class LicenceUseAdmin(admin.ModelAdmin):
    list_display = ["licence", "kind", "reason", "user_label", "case_number", "at"]
    list_filter = ["kind"]
    search_fields = ["licence__identifier", "reason", "user_label", "case_number"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
