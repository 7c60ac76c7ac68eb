from django.contrib import admin

from banhao.org.api import ScopedAuditedAdmin

from .models import ApplicantAccount, Mandate, Organization, Person


class ReadOnlyScopedAdmin(ScopedAuditedAdmin):
    """Registry records change through the registry screens (services, audit, validation)."""

    permission = "registry.view"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyScopedAdmin):
    list_display = ["name", "masked_id", "gender", "birth_date", "region"]
    list_filter = ["gender", "region"]
    search_fields = ["name"]
    exclude = ["resident_id", "phone"]
    readonly_fields = ["masked_id", "masked_phone"]

    @admin.display(description="公民身份号码")
    def masked_id(self, obj):
        return obj.masked_id

    @admin.display(description="手机号码")
    def masked_phone(self, obj):
        return obj.masked_phone


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyScopedAdmin):
    list_display = ["name", "credit_code", "kind", "legal_representative", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "credit_code"]
    exclude = ["legal_representative_id"]


@admin.register(ApplicantAccount)
class ApplicantAccountAdmin(ReadOnlyScopedAdmin):
    region_field = "person__region"
    list_display = ["user", "person", "organization", "created_at"]
    raw_id_fields = ["user", "person", "organization"]


@admin.register(Mandate)
class MandateAdmin(ReadOnlyScopedAdmin):
    """Mandates are granted and revoked through the registry services (audited)."""

    region_field = "organization__region"
    list_display = ["organization", "agent", "scope", "valid_from", "valid_until", "revoked_at"]
    search_fields = ["organization__name", "organization__credit_code"]
    exclude = ["agent"]
    readonly_fields = ["agent_name"]

    @admin.display(description="经办人")
    def agent_name(self, obj):
        return str(obj.agent)
