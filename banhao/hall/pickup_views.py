"""The unified pickup window (统一出件), /hall/pickup/.

The results ready for pickup in the clerk's scope are listed and searchable by case number,
the applicant's resident ID or the contact phone. Handing one over checks the collector's ID
(本人: it must be the applicant's; 受托代领人: their own ID, name and a note of the authorisation),
then, in one transaction, delivers (窗口领取) and concludes the case and writes the Handover
record (masked ID and keyed SHA-256 digest, never the number itself), linked to the ticket the
window is serving. A case is handed over once: the transition table refuses a second delivery
and the Handover row is unique per case.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

import banhao.org.api as org
from banhao.cases.api import pickup_case, pickup_collector, pickup_list
from banhao.org.api import staff_required

from . import selectors, services
from .forms_acceptance import HandoverForm
from .models import Handover

LIST_LIMIT = 50


# --- pages -------------------------------------------------------------------------------------------


def _station(request):
    """(staff, window, serving ticket or None); window None when the clerk has none."""
    st = selectors.station_for(request.user)
    return st.staff, st.window, st.ticket


def _accepted_here(window):
    """The hall's handed-in cases as a subquery (None without a window)."""
    return selectors.cases_handed_in_at(window.hall_id) if window is not None else None


@staff_required("hall.pickup")
@require_GET
def pickup(request):
    """GET /hall/pickup/?q= — results ready for pickup in the clerk's scope."""
    staff, window, ticket = _station(request)
    q = " ".join(request.GET.get("q", "").split())[:32]
    rows, total = pickup_list(request.scope, q, limit=LIST_LIMIT, also_ids=_accepted_here(window))
    recent = list(
        Handover.objects.filter(window_id=window.id).order_by("-at")[:10] if window is not None else []
    )
    return render(
        request,
        "hall/pickup/list.html",
        {
            "staff": staff,
            "window": window,
            "ticket": ticket,
            "q": q,
            "rows": rows,
            "total": total,
            "limit": LIST_LIMIT,
            "recent": recent,
        },
    )


@staff_required("hall.pickup")
@require_http_methods(["GET", "POST"])
def handover(request, number: str):
    """GET/POST /hall/pickup/<number>/ — check the collector's ID and hand the result over."""
    staff, window, ticket = _station(request)
    case = pickup_case(request.scope, number, ready_only=False, also_ids=_accepted_here(window))
    if case is None:
        raise Http404("未找到该办件。")
    done = Handover.objects.filter(case_id=case.id).first()
    context = {"case": case, "done": done, "window": window, "ticket": ticket}
    if done is not None or case.status != "result_ready":
        if request.method == "POST":
            messages.error(
                request, "该办件已出件，不能重复出件。" if done else "该办件尚未待领取，不能出件。"
            )
        return render(request, "hall/pickup/handover.html", {**context, "form": None}, status=409)
    if request.method == "GET":
        return render(request, "hall/pickup/handover.html", {**context, "form": HandoverForm()})

    form = HandoverForm(request.POST)
    if window is None:
        form.add_error(None, "您当前未分配窗口，不能出件。请联系大厅管理人员为您指定所在窗口。")
    if form.is_valid():
        data = form.cleaned_data
        try:
            collector = pickup_collector(
                case.id,
                relation=data["relation"],
                resident_id=data["resident_id"],
                name=data["name"],
                note=data["note"],
            )
            services.pickup_hand_over(
                actor=request.user,
                staff_id=staff.staff_id,
                window_id=window.id,
                case_id=case.id,
                collector=collector,
                ticket_id=ticket.pk if ticket else None,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, texts in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, texts)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, f"办件{case.number}的办理结果已交付领取人。")
            return redirect("hall:pickup_receipt", number=case.number)
    return render(request, "hall/pickup/handover.html", {**context, "form": form}, status=400)


@staff_required("hall.pickup")
@require_GET
def receipt(request, number: str):
    """GET /hall/pickup/<number>/receipt/ — who collected what, when, where."""
    _staff, window, _ticket = _station(request)
    case = pickup_case(request.scope, number, ready_only=False, also_ids=_accepted_here(window))
    if case is None:
        raise Http404("未找到该办件。")
    record = Handover.objects.filter(case_id=case.id).first()
    if record is None:
        raise Http404("该办件尚无出件记录。")
    window = org.window_info(record.window_id, departments=False)
    hall = org.hall_info(window.hall_id, windows=False) if window else None
    clerk = org.staff_names([record.clerk_id]).get(record.clerk_id, "")
    return render(
        request,
        "hall/pickup/receipt.html",
        {"case": case, "record": record, "window": window, "hall": hall, "clerk": clerk},
    )
