from django.http import Http404
from django.shortcuts import render

from banhao.core.audit import history

from . import selectors
from .api import staff_required


@staff_required("org.view")
def department_list(request):
    return render(
        request, "org/department_list.html", {"departments": selectors.departments_visible(request.scope)}
    )


@staff_required("org.view")
def hall_list(request):
    return render(request, "org/hall_list.html", {"halls": selectors.halls_visible(request.scope)})


@staff_required("org.view")
def window_list(request):
    hall_id = request.GET.get("hall")
    hall_id = int(hall_id) if hall_id and hall_id.isdigit() else None
    return render(
        request,
        "org/window_list.html",
        {
            "windows": selectors.windows_visible(request.scope, hall_id),
            "halls": selectors.halls_visible(request.scope),
            "hall_id": hall_id,
        },
    )


@staff_required("org.view")
def staff_list(request):
    return render(request, "org/staff_list.html", {"staff": selectors.staff_visible(request.scope)})


@staff_required("audit.view")
def staff_detail(request, pk):
    member = selectors.staff_visible(request.scope).filter(pk=pk).first()
    if member is None:
        raise Http404("未找到该工作人员。")
    return render(request, "org/staff_detail.html", {"member": member, "events": history(member)[:100]})
