"""The licence catalog and the licences in the admin, on the house base (role, data scope, audit).

Types change only through ``services.licence_type_upsert`` (validated, audited), typed in the
form or imported from Excel (an import page and an export button on the list). Licences and
their use log are read-only: licences are issued by approved cases and change status through
the services (the office pages), never by editing a row.
"""

import json
from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from banhao.core.identifiers import normalize_licence_type_code
from banhao.core.uploads import check_upload
from banhao.org.api import ScopedAuditedAdmin

from . import services
from .excel import MAX_FILE_BYTES, licence_types_export, licence_types_import
from .models import Licence, LicenceEvent, LicenceType, LicenceUse, Validity

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LicenceTypeForm(forms.ModelForm):
    fields = forms.JSONField(
        label="照面项",
        help_text='JSON 列表，每项 {"key", "label", "kind": text|date|number|code, "required", "public", "sources": [表单字段编码]}。',
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
    )

    class Meta:
        model = LicenceType
        fields = [
            "name",
            "code",
            "authority_name",
            "holder_kind",
            "validity",
            "validity_years",
            "validity_field",
            "several_allowed",
            "aliases",
            "items",
            "fields",
            "composition_note",
        ]

    def clean_code(self):
        try:
            return normalize_licence_type_code(self.cleaned_data.get("code") or "")
        except ValidationError as e:
            raise ValidationError(e.messages) from None

    def clean(self):
        data = super().clean()
        try:
            data["fields"] = services.fields_check(data.get("fields"))
        except ValidationError as e:
            self.add_error("fields", e.messages)
        validity, years = data.get("validity"), data.get("validity_years")
        if validity == Validity.YEARS and not (years and 0 < years <= 50):
            self.add_error("validity_years", "固定年限的证照请填写1至50之间的有效年限。")
        if validity == Validity.CASE and not data.get("validity_field"):
            self.add_error("validity_field", "请填写有效期截止日期所取的表单字段。")
        aliases = data.get("aliases")
        if aliases is not None and not (
            isinstance(aliases, list) and all(isinstance(a, str) for a in aliases)
        ):
            self.add_error("aliases", '材料名称别名应为 JSON 文本列表，如 ["残疾人证"]。')
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 工作簿（.xlsx）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload, allowed=("xlsx",), max_bytes=MAX_FILE_BYTES)
        return upload


@admin.register(LicenceType)
class LicenceTypeAdmin(ScopedAuditedAdmin):
    permission = "org.manage"
    region_field = None  # the licence catalog is the city's, like the standard texts
    form = LicenceTypeForm
    list_display = ["name", "code", "authority_name", "holder_kind", "validity", "several_allowed", "active"]
    list_filter = ["holder_kind", "validity", "active"]
    search_fields = ["name", "code", "authority_name"]
    filter_horizontal = ["items"]
    change_list_template = "admin/licences/licencetype/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []  # the code names the type: a new code is a new type

    def has_delete_permission(self, request, obj=None):
        return False  # licences point at their type: it is deactivated, never deleted

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved, _ = services.licence_type_upsert(
            actor=request.user,
            name=data["name"],
            code=obj.code if change else data["code"],
            authority_name=data["authority_name"],
            holder_kind=data["holder_kind"],
            fields=data["fields"],
            validity=data["validity"],
            validity_years=data.get("validity_years"),
            validity_field=data.get("validity_field") or "",
            several_allowed=data.get("several_allowed", False),
            aliases=data.get("aliases") or [],
            composition_note=data.get("composition_note") or "",
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="licences_licencetype_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="licences_licencetype_export"),
        ]
        return own + super().get_urls()

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = licence_types_import(form.cleaned_data["file"], actor=request.user)
            if report.ok:
                self.message_user(request, report.summary, messages.SUCCESS)
                return redirect("admin:licences_licencetype_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "从Excel导入证照目录",
            "form": form,
            "report": report,
            "export_url": reverse("admin:licences_licencetype_export"),
        }
        return TemplateResponse(request, "admin/licences/licencetype/import.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        name = f"证照目录-{timezone.localdate():%Y%m%d}.xlsx"
        response = HttpResponse(licence_types_export(), content_type=XLSX)
        response["Content-Disposition"] = (
            f"attachment; filename=\"licence-types.xlsx\"; filename*=UTF-8''{quote(name)}"
        )
        return response


class EventInline(admin.TabularInline):
    model = LicenceEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "reason", "actor_label", "at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnly(ScopedAuditedAdmin):
    permission = "org.manage"

    def has_add_permission(self, request):
        return False  # licences are issued by approved cases, never typed in

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Licence)
class LicenceAdmin(ReadOnly):
    region_field = "region"
    list_display = ["name", "number", "holder_name", "issuer_name", "issued_on", "valid_until", "status"]
    list_filter = ["status", "type"]
    search_fields = ["identifier", "number", "holder_name", "case_number"]
    exclude = ["face"]
    readonly_fields = ["face_text"]
    inlines = [EventInline]

    @admin.display(description="照面信息")
    def face_text(self, obj):
        return json.dumps(obj.face, ensure_ascii=False, indent=1)


@admin.register(LicenceUse)
class LicenceUseAdmin(ReadOnly):
    region_field = "licence__region"
    list_display = ["licence", "kind", "reason", "user_label", "case_number", "at"]
    list_filter = ["kind"]
    search_fields = ["licence__identifier", "reason", "user_label", "case_number"]
