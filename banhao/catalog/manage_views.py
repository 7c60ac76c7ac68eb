"""Catalog officer screens: standard texts, versions, implementations, the two-level audit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from banhao.core.audit import history
from banhao.org.api import region_choices, staff_required

from . import codes, editor, selectors, services
from .forms import ImplementationForm, StandardTextForm, TransitionForm, initial_from_content
from .models import Implementation, StandardItem, StandardVersion, Status


def _require_city_editor(request):
    if not (request.scope.can("catalog.edit") and request.scope.is_city_wide):
        raise PermissionDenied("只有市级事项管理人员可以编辑标准化文本。")


def _can_publish(scope, version: StandardVersion) -> bool:
    if not scope.can("catalog.publish"):
        return False
    if scope.role == "department_head":
        return version.department_id == scope.department_id
    return scope.is_city_wide


@staff_required("catalog.view")
def item_list(request):
    q, zone, status = (
        request.GET.get("q", "").strip(),
        request.GET.get("zone", ""),
        request.GET.get("status", ""),
    )
    rows, published = selectors.latest_versions(q=q, zone=zone, status=status)
    counts = selectors.published_implementation_counts()
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/manage/item_list.html",
        {
            "page": page,
            "q": q,
            "zone": zone,
            "status": status,
            "zones": codes.ZONES.items(),
            "statuses": Status.choices,
            "published": published,
            "impl_counts": counts,
            "can_edit": request.scope.can("catalog.edit") and request.scope.is_city_wide,
        },
    )


@staff_required("catalog.view")
def item_detail(request, code):
    item = get_object_or_404(StandardItem, code=code)
    versions = list(item.versions.select_related("department", "created_by").order_by("-number"))
    shown = next((v for v in versions if v.status == Status.PUBLISHED), versions[0] if versions else None)
    impls = request.scope.filter(item.implementations.select_related("region", "department"))
    impl_rows = [(i, services.implementation_deviations(i)) for i in impls.order_by("region__order")]
    version_actions = []
    for v in versions:
        acts = []
        if request.scope.can("catalog.edit") and request.scope.is_city_wide and v.status == Status.DRAFT:
            acts.append(("submit", "提交审核"))
        if _can_publish(request.scope, v):
            if v.status in (Status.DRAFT, Status.REVIEW):
                acts.append(("publish", "审核通过并发布"))
            if v.status == Status.REVIEW:
                acts.append(("return", "退回修改"))
            if v.status == Status.PUBLISHED:
                acts.append(("retire", "停用"))
        version_actions.append((v, acts))
    events = []
    for v in versions[:5]:
        events.extend(history(v)[:20])
    events.sort(key=lambda e: e.at, reverse=True)
    latest = versions[0] if versions else None
    files = {(f.material_name, f.kind): f for f in item.files.all()}
    material_rows = [
        (m["name"], files.get((m["name"], "blank")), files.get((m["name"], "sample")))
        for m in (latest.materials if latest else [])
    ]
    return render(
        request,
        "catalog/manage/item_detail.html",
        {
            "item": item,
            "shown": shown,
            "content": services.version_content(shown) if shown else None,
            "version_actions": version_actions,
            "impl_rows": impl_rows,
            "can_edit": request.scope.can("catalog.edit") and request.scope.is_city_wide,
            "events": events[:40] if request.scope.can("audit.view") else None,
            "element_labels": codes.SHARED_ELEMENTS,
            "material_rows": material_rows,
        },
    )


def _editor_tables(content=None, post=None, errors=None):
    """The list tables, from saved content or from a POST (with the errors in place)."""
    tables, values = [], {}
    for spec in editor.LISTS:
        if post is not None:
            vals, positions, raw = editor.rows_from_post(post, spec)
            values[spec.name] = vals
            extra = 1 + (1 if post.get("add_row") == spec.name else 0)
            tables.append(editor.table(spec, raw_rows=raw, positions=positions, errors=errors, extra=extra))
        else:
            source = (
                (content or {}).get("fee", {}).get("lines", [])
                if spec.name == "fee_lines"
                else (content or {}).get(spec.name, [])
            )
            tables.append(editor.table(spec, values=source))
    return tables, values


@staff_required("catalog.edit")
def item_edit(request, code=None):
    _require_city_editor(request)
    item = get_object_or_404(StandardItem, code=code) if code else None
    latest = item.versions.select_related("item", "department").order_by("-number").first() if item else None
    content = services.version_content(latest) if latest else None
    if request.method != "POST":
        form = StandardTextForm(
            initial=initial_from_content(content) if content else {"scope": "全市通办"},
            codes_locked=item is not None,
        )
        tables, _ = _editor_tables(content=content)
        return _render_edit(request, item, latest, form, tables)

    form = StandardTextForm(
        request.POST,
        initial=initial_from_content(content) if content else None,
        codes_locked=item is not None,
    )
    errors: dict = {}
    if form.is_valid() and not request.POST.get("add_row"):
        _, values = _editor_tables(post=request.POST)
        data = form.content(values)
        try:
            version, outcome = services.standard_save(
                actor=request.user,
                data=data,
                change_note=form.cleaned_data.get("change_note", ""),
                new_only=item is None,
            )
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
            for key, msgs in errors.items():
                if key in form.fields:
                    form.add_error(key, msgs)
                elif key in {"fee"}:
                    form.add_error("fee_free", msgs)
        else:
            messages.success(
                request,
                {
                    "created": f"已新建标准化文本（第{version.number}版，草稿）。",
                    "new_version": f"已起草第{version.number}版（草稿），发布后生效。",
                    "updated": f"已保存第{version.number}版草稿。",
                    "unchanged": "内容没有变化，未产生新版本。",
                }[outcome],
            )
            return redirect("catalog_manage:item_detail", code=version.item.code)
    tables, _ = _editor_tables(post=request.POST, errors=errors)
    if request.POST.get("add_row"):  # adding a row is not a save: show no errors yet
        form = StandardTextForm(request.POST, codes_locked=item is not None)
        form.full_clean()
        form._errors = {}
    return _render_edit(request, item, latest, form, tables, status=200)


def _render_edit(request, item, latest, form, tables, status=200):
    return render(
        request,
        "catalog/manage/item_edit.html",
        {
            "item": item,
            "latest": latest,
            "form": form,
            "tables": tables,
            "drafting_new": latest is not None and latest.status != Status.DRAFT,
        },
        status=status,
    )


@require_POST
@staff_required("catalog.view")
def version_transition(request, code, number):
    version = get_object_or_404(
        StandardVersion.objects.select_related("item"), item__code=code, number=number
    )
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作参数不正确。")
        return redirect("catalog_manage:item_detail", code=code)
    action = form.cleaned_data["action"]
    if action == "submit":
        _require_city_editor(request)
    elif not _can_publish(request.scope, version):
        raise PermissionDenied("您无权审核或发布该事项。")
    try:
        if action == "submit":
            services.version_submit(actor=request.user, version=version)
        elif action == "return":
            services.version_return(
                actor=request.user, version=version, reason=form.cleaned_data["reason"] or ""
            )
        elif action == "publish":
            services.version_publish(
                actor=request.user, version=version, effective_from=form.cleaned_data["effective_from"]
            )
        else:
            services.version_retire(
                actor=request.user, version=version, reason=form.cleaned_data["reason"] or ""
            )
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, f"第{version.number}版：操作已完成。")
    return redirect("catalog_manage:item_detail", code=code)


@staff_required("catalog.view")
def version_compare(request, code):
    item = get_object_or_404(StandardItem, code=code)
    versions = {v.number: v for v in item.versions.select_related("item", "department")}
    try:
        a, b = versions[int(request.GET.get("a", 0))], versions[int(request.GET.get("b", 0))]
    except (KeyError, ValueError):
        raise Http404("请选择两个存在的版本。") from None
    ca, cb = services.version_content(a), services.version_content(b)
    labels = {f.name: str(f.verbose_name) for f in StandardVersion._meta.fields}
    labels.update({"basic_code": "基本编码", "handling_code": "办理项编码", "department": "实施主体（市级）"})
    rows = [(labels.get(k, k), ca.get(k), cb.get(k)) for k in ca if ca.get(k) != cb.get(k)]
    return render(request, "catalog/manage/compare.html", {"item": item, "a": a, "b": b, "rows": rows})


@staff_required("catalog.view")
def implementation_list(request):
    region, status = request.GET.get("region", ""), request.GET.get("status", "")
    impls = request.scope.filter(Implementation.objects.select_related("standard", "region", "department"))
    if region:
        impls = impls.filter(region__code=region)
    if status in Status.values:
        impls = impls.filter(status=status)
    deviating = {
        d.implementation_id
        for d in selectors.catalog_audit(None if request.scope.is_city_wide else request.scope.region_ids)
    }
    page = Paginator(impls.order_by("region__order", "standard__code"), 40).get_page(request.GET.get("page"))
    names = dict(selectors.published_versions().values_list("item_id", "sub_item_name"))
    return render(
        request,
        "catalog/manage/implementation_list.html",
        {
            "page": page,
            "deviating": deviating,
            "names": names,
            "region": region,
            "status": status,
            "regions": region_choices(None if request.scope.is_city_wide else request.scope.region_ids),
            "statuses": Status.choices,
        },
    )


@staff_required("catalog.view")
def implementation_detail(request, pk):
    impl = (
        request.scope.filter(Implementation.objects.select_related("standard", "region", "department"))
        .filter(pk=pk)
        .first()
    )
    if impl is None:
        raise Http404("未找到该实施清单。")
    can_edit = request.scope.can("catalog.edit")
    form = ImplementationForm(
        request.POST or None,
        region_code=impl.region.code,
        initial={
            "department": impl.department.name,
            "address": impl.address,
            "phone": impl.phone,
            "office_hours": impl.office_hours,
            "windows": impl.windows,
        },
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您无权修改实施清单。")
        action = request.POST.get("action", "save")
        try:
            if action == "save" and form.is_valid():
                local = {k: form.cleaned_data[k] for k in ("address", "phone", "office_hours", "windows")}
                services.implementation_save(
                    actor=request.user,
                    standard=impl.standard,
                    region_code=impl.region.code,
                    department=form.cleaned_data["department"],
                    local=local,
                )
                messages.success(request, "已保存实施清单的本地信息。")
                return redirect("catalog_manage:implementation_detail", pk=impl.pk)
            if action == "align":
                services.implementation_align(actor=request.user, implementation=impl)
                messages.success(request, "已采用市级标准化文本的十同要素。")
            elif action == "publish":
                services.implementation_publish(actor=request.user, implementation=impl)
                messages.success(request, "实施清单已发布。")
            elif action == "retire":
                services.implementation_retire(
                    actor=request.user, implementation=impl, reason=request.POST.get("reason", "")
                )
                messages.success(request, "实施清单已停用。")
            if action != "save":
                return redirect("catalog_manage:implementation_detail", pk=impl.pk)
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
            return redirect("catalog_manage:implementation_detail", pk=impl.pk)
    version = services.published_version(impl.standard)
    return render(
        request,
        "catalog/manage/implementation_detail.html",
        {
            "impl": impl,
            "form": form,
            "version": version,
            "can_edit": can_edit,
            "deviations": [
                (codes.SHARED_ELEMENTS[k], a, b) for k, a, b in services.implementation_deviations(impl)
            ],
            "events": history(impl)[:50] if request.scope.can("audit.view") else None,
        },
    )


@staff_required("catalog.audit")
def audit(request):
    region = request.GET.get("region", "")
    ids = None if request.scope.is_city_wide else request.scope.region_ids
    deviations = selectors.catalog_audit(ids)
    if region:
        deviations = [d for d in deviations if d.region_code == region]
    grouped: dict[int, list] = {}
    for d in deviations:
        grouped.setdefault(d.implementation_id, []).append(d)
    return render(
        request,
        "catalog/manage/audit.html",
        {
            "groups": list(grouped.values()),
            "count": len(deviations),
            "region": region,
            "regions": region_choices(ids),
            "implementations": len(grouped),
        },
    )


@staff_required("catalog.edit")
def excel_import(request):
    """Upload a workbook: everything is checked first; any error imports nothing."""
    _require_city_editor(request)
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的Excel文件（.xlsx）。")
        elif not upload.name.lower().endswith(".xlsx"):
            messages.error(request, "只能导入 .xlsx 格式的Excel工作簿。")
        else:
            from .excel import import_catalog

            report = import_catalog(upload, actor=request.user, publish=bool(request.POST.get("publish")))
            if not report.errors:
                messages.success(request, report.summary)
                return redirect("catalog_manage:item_list")
    return render(request, "catalog/manage/import.html", {"report": report})


@staff_required("catalog.view")
def excel_export(request):
    """Downloads the published catalog (or every latest version) as an Excel workbook."""
    import io

    from django.http import HttpResponse
    from django.utils import timezone

    from .excel import export_catalog

    buffer = io.BytesIO()
    export_catalog(buffer, status=None if request.GET.get("all") else "published")
    name = f"标准化事项目录-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename=\"catalog.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


@require_POST
@staff_required("catalog.edit")
def material_file_upload(request, code):
    _require_city_editor(request)
    item = get_object_or_404(StandardItem, code=code)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件。")
        return redirect("catalog_manage:item_detail", code=code)
    try:
        record = services.material_file_attach(
            actor=request.user,
            item=item,
            material_name=request.POST.get("material", ""),
            kind=request.POST.get("kind", ""),
            upload=upload,
        )
    except ValidationError as e:
        messages.error(request, "上传失败：" + "；".join(e.messages))
    else:
        messages.success(request, f"已上传“{record.material_name}”的{record.get_kind_display()}。")
    return redirect("catalog_manage:item_detail", code=code)
