"""GET /notices/ — the account's site messages, newest first, with the unread count."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .models import Notification


@login_required
def notice_list(request):
    qs = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/list.html",
        {
            "page": page,
            "unread": services.unread_count(request.user),
            "only_unread": request.GET.get("unread") == "1",
        },
    )


@login_required
@require_POST
def notice_open(request, notification_id: int):
    """Marks the message read and opens the page it is about (a local path only)."""
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    services.mark_read(request.user, notification.pk)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None) and link.startswith("/"):
        return redirect(link)
    return redirect("notify:list")


@login_required
@require_POST
def notice_read_all(request):
    services.mark_read(request.user)
    return redirect("notify:list")
