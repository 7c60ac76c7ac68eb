from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from banhao.core.audit import history
from banhao.org.api import staff_required

from . import selectors, services
from .forms import (
    OrganizationCreateForm,
    OrganizationEditForm,
    PersonCreateForm,
    PersonEditForm,
    apply_service_errors,
)


def _page(request, qs):
    return Paginator(qs, 20).get_page(request.GET.get("page"))


def _visible_person(request, pk):
    person = selectors.persons_visible(request.scope).filter(pk=pk).first()
    if person is None:  # outside the scope looks the same as absent: no enumeration
        raise Http404("未找到该记录。")
    return person


def _visible_org(request, pk):
    org = selectors.organizations_visible(request.scope).filter(pk=pk).first()
    if org is None:
        raise Http404("未找到该记录。")
    return org


@staff_required("registry.view")
def person_list(request):
    q = request.GET.get("q", "")
    return render(
        request,
        "registry/person_list.html",
        {
            "page": _page(request, selectors.persons_visible(request.scope, q)),
            "q": q,
            "can_change": request.scope.can("registry.change"),
        },
    )


@staff_required("registry.view")
def person_detail(request, pk):
    person = _visible_person(request, pk)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "accounts": person.accounts.select_related("organization"),
            "events": history(person)[:100] if request.scope.can("audit.view") else None,
            "can_change": request.scope.can("registry.change"),
        },
    )


@staff_required("registry.change")
def person_create(request):
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(actor=request.user, scope=request.scope, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, f"已登记：{person.name}。")
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request, "registry/form.html", {"form": form, "title": "登记自然人", "back": "registry:person_list"}
    )


@staff_required("registry.change")
def person_edit(request, pk):
    person = _visible_person(request, pk)
    initial = {"name": person.name, "phone": person.phone, "address": person.address}
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user, person=person, scope=request.scope, **form.cleaned_data
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "已保存修改。")
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": f"修改自然人信息：{person.name}",
            "back": "registry:person_list",
        },
    )


@staff_required("registry.view")
def organization_list(request):
    q = request.GET.get("q", "")
    return render(
        request,
        "registry/organization_list.html",
        {
            "page": _page(request, selectors.organizations_visible(request.scope, q)),
            "q": q,
            "can_change": request.scope.can("registry.change"),
        },
    )


@staff_required("registry.view")
def organization_detail(request, pk):
    org = _visible_org(request, pk)
    return render(
        request,
        "registry/organization_detail.html",
        {
            "org": org,
            "events": history(org)[:100] if request.scope.can("audit.view") else None,
            "can_change": request.scope.can("registry.change"),
        },
    )


@staff_required("registry.change")
def organization_create(request):
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_register(actor=request.user, scope=request.scope, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, f"已登记：{org.name}。")
            return redirect("registry:organization_detail", pk=org.pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": "登记法人及其他组织",
            "back": "registry:organization_list",
        },
    )


@staff_required("registry.change")
def organization_edit(request, pk):
    org = _visible_org(request, pk)
    initial = {
        "name": org.name,
        "legal_representative": org.legal_representative,
        "phone": org.phone,
        "address": org.address,
    }
    form = OrganizationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                actor=request.user, organization=org, scope=request.scope, **form.cleaned_data
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "已保存修改。")
            return redirect("registry:organization_detail", pk=org.pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": f"修改法人信息：{org.name}",
            "back": "registry:organization_list",
        },
    )
