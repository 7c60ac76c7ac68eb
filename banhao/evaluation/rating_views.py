"""Rating pages under /rate/ (URL namespace "rating"): every channel but the window pad.

- ``case/<number>/``: the applicant's own delivered or concluded case, on PC or phone (the channel
  is read from the browser). Without a login — someone who scanned the QR code on the result
  notice — the page asks for the last 4 digits of the contact phone (the failure throttle of the
  public lookup) and then continues as a token page, channel 二维码评价.
- ``t/<token>/``: the signed one-time token of the SMS link (no login).
- ``mine/``: 我的评价, the applicant's ratings.
- ``kiosk/<hall>/``: the 24-hour kiosk: case number + last 4 digits of the contact phone, the
  on-site indicators.
- ``windows/`` (hall managers): a printable QR sheet, one code per window; ``window/<key>/``
  is where the code leads: the visitor's ticket number of today (一次一评 of that visit) or a case
  number with the phone digits.

Every page calls ratings.rating_record_case or api.rating_record_onsite; a refusal is a Chinese
message beside the field, and nothing is saved.
"""

from __future__ import annotations

import hmac
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

import banhao.cases.api as cases_api
import banhao.hall.api as hall_api
import banhao.org.api as org
from banhao.core.qr import qr_data_uri
from banhao.org.api import staff_required

from . import api, ratings
from .models import (
    BAD_LEVELS,
    BAD_REASONS,
    ONLINE_DIMENSIONS,
    ONSITE_DIMENSIONS,
    Level,
    Rating,
    Rectification,
)

WINDOW_SALT = "banhao.evaluation.window-qr"
MOBILE_UA = re.compile(r"Mobile|Android|iPhone|iPad|HarmonyOS|MicroMessenger|OpenHarmony", re.I)
PHONE_FAILED = "办件编号与手机号码后四位不符，请核对后重试。"
TICKET_FAILED = "未找到本窗口今天办结的该排队号，或该次服务已评价。"


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def request_channel(request) -> str:
    """电脑端 or 移动端: the phone layout sets a hidden field; otherwise the browser's user agent."""
    hint = request.POST.get("layout", "")
    if hint in (Rating.Channel.PC, Rating.Channel.MOBILE):
        return hint
    return (
        Rating.Channel.MOBILE
        if MOBILE_UA.search(request.META.get("HTTP_USER_AGENT", ""))
        else Rating.Channel.PC
    )


# --- the form ------------------------------------------------------------------------------


def _posted(request, dimensions: dict[str, str]) -> dict:
    return {
        "level": request.POST.get("level", ""),
        "dimensions": {k: request.POST.get(f"dim_{k}") for k in dimensions if request.POST.get(f"dim_{k}")},
        "reasons": request.POST.getlist("reasons"),
        "comment": request.POST.get("comment", ""),
    }


def _form_context(dimensions: dict[str, str], data: dict | None = None, errors: dict | None = None) -> dict:
    data = data or {}
    errors = errors or {}
    chosen = data.get("dimensions") or {}
    return {
        "levels": api.LEVELS,
        "bad_levels": [int(v) for v in BAD_LEVELS],
        "dims": [
            {
                "key": k,
                "label": label,
                "value": str(chosen.get(k, "")),
                "error": errors.get(f"dimensions.{k}", ""),
            }
            for k, label in dimensions.items()
        ],
        "reasons": list(BAD_REASONS.items()),
        "data": {
            "level": str(data.get("level", "")),
            "reasons": list(data.get("reasons") or []),
            "comment": data.get("comment", ""),
        },
        "errors": errors,
    }


def _errors(e: ValidationError) -> dict[str, str]:
    if hasattr(e, "error_dict"):
        return {k: "；".join(v) for k, v in e.message_dict.items()}
    return {"__all__": "；".join(e.messages)}


def rating_view(rating: Rating | None) -> dict | None:
    """A rating as the pages show it (labels, not codes)."""
    if rating is None:
        return None
    dims = (
        ONSITE_DIMENSIONS
        if rating.channel in (Rating.Channel.KIOSK, Rating.Channel.HALL_PAD)
        else ONLINE_DIMENSIONS
    )
    return {
        "level_label": rating.get_level_display(),
        "is_bad": rating.is_bad,
        "channel": rating.get_channel_display(),
        "at": rating.created_at,
        "dimensions": [
            (dims.get(k, k), Level(v).label)
            for k, v in (rating.dimensions or {}).items()
            if v in Level.values
        ],
        "reasons": [BAD_REASONS.get(r, r) for r in rating.reasons or []],
        "comment": rating.comment,
        "is_default": rating.is_default,
        "excluded": rating.excluded,
        "rectification": _rectification_of(rating),
    }


def _rectification_of(rating: Rating):
    """The 差评整改 a bad rating opened (also for its re-rating): the rater follows it from here."""
    original = rating.rerate_of_id or rating.pk
    return Rectification.objects.filter(rating_id=original).only("pk", "status", "due_on").first()


def _current(case_id: int) -> Rating | None:
    return Rating.objects.filter(case_id=case_id, current=True).first()


def _case_ctx(facts: cases_api.CaseRatingFacts, **extra) -> dict:
    return {"facts": facts, "given": rating_view(_current(facts.id)), **extra}


# --- the applicant's case ------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def case_rate(request, number: str):
    """GET/POST /rate/case/<number>/ — the applicant rates their delivered or concluded case."""
    number = cases_api.normal_number(number)
    if not request.user.is_authenticated:
        return _phone_check(request, number)
    facts = cases_api.case_rating_facts(number=number)
    if facts is None or facts.applicant_user_id != request.user.pk:
        raise Http404("未找到您的该办件。")
    ctx = _case_ctx(
        facts, action=reverse("rating:case", args=[facts.number]), thanks=request.GET.get("rated") == "1"
    )
    status = 200
    if ctx["given"] is None and facts.ratable:
        data, errors = None, None
        if request.method == "POST":
            data = _posted(request, ONLINE_DIMENSIONS)
            try:
                ratings.rating_record_case(
                    case_id=facts.id, user=request.user, channel=request_channel(request), **data
                )
                return redirect(reverse("rating:case", args=[facts.number]) + "?rated=1")
            except ratings.AlreadyRated as e:
                ctx["notice"] = e.message
            except ValidationError as e:
                errors, status = _errors(e), 400
        ctx.update(_form_context(ONLINE_DIMENSIONS, data, errors))
        ctx["given"] = rating_view(_current(facts.id))
    return render(request, "evaluation/rate/case.html", ctx, status=status)


def _phone_matches(facts: cases_api.CaseRatingFacts | None, digits: str) -> bool:
    stored = cases_api.normal_phone(facts.contact_phone)[-4:] if facts is not None else ""
    given = cases_api.normal_phone(digits)
    return len(given) == 4 and len(stored) == 4 and hmac.compare_digest(given, stored)


def case_by_phone(*, number: str, digits: str, ip: str) -> cases_api.CaseRatingFacts:
    """The case whose contact phone ends in ``digits``; ValidationError (Chinese) otherwise. A
    mismatch counts on the public lookup's failure throttle (per address and per case number)."""
    number = cases_api.normal_number(number)
    if cases_api.lookup_throttled(ip, number):
        raise ValidationError(cases_api.LOOKUP_THROTTLED)
    facts = cases_api.case_rating_facts(number=number) if number else None
    if not _phone_matches(facts, digits):
        cases_api.lookup_record_failure(ip, number or None)
        raise ValidationError(PHONE_FAILED)
    return facts


def _phone_check(request, number: str):
    """Someone without a login (the QR code on the result notice): the last 4 digits of the contact
    phone prove they hold the notice; then the token page takes over (channel 二维码评价)."""
    error = ""
    if request.method == "POST":
        try:
            facts = case_by_phone(number=number, digits=request.POST.get("digits", ""), ip=_ip(request))
            return redirect("rating:token", ratings.rating_token(facts.id, Rating.Channel.QR))
        except ValidationError as e:
            error = "；".join(e.messages)
    return render(
        request,
        "evaluation/rate/verify.html",
        {
            "number": number,
            "error": error,
            "login_url": resolve_url(settings.LOGIN_URL) + "?" + urlencode({"next": request.get_full_path()}),
        },
        status=400 if error else 200,
    )


# --- the SMS / QR token ------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def token_rate(request, token: str):
    """GET/POST /rate/t/<token>/ — rate with the signed one-time link, no login."""
    try:
        case_id, channel = ratings.token_case(token)
    except ValidationError as e:
        return render(
            request,
            "evaluation/rate/message.html",
            {"title": "评价链接不可用", "message": e.messages[0]},
            status=400,
        )
    facts = cases_api.case_rating_facts(case_id)
    if facts is None:
        return render(
            request,
            "evaluation/rate/message.html",
            {"title": "评价链接不可用", "message": "评价链接无效，请核对短信或二维码。"},
            status=400,
        )
    dims = ratings.CASE_CHANNELS.get(channel, ONLINE_DIMENSIONS)
    ctx = _case_ctx(facts, action=reverse("rating:token", args=[token]))
    if ctx["given"] is not None and request.method == "GET":
        ctx["notice"] = "该评价链接已使用：本办件已评价，每件办件只能评价一次。"
    status = 200
    if ctx["given"] is None and facts.ratable:
        data, errors = None, None
        if request.method == "POST":
            data = _posted(request, dims)
            try:
                ratings.rating_record_case(token=token, **data)
                ctx["given"] = rating_view(_current(facts.id))
                ctx["thanks"] = True
                return render(request, "evaluation/rate/case.html", ctx)
            except ratings.AlreadyRated as e:
                ctx["notice"] = e.message
            except ValidationError as e:
                errors, status = _errors(e), 400
        ctx.update(_form_context(dims, data, errors))
        ctx["given"] = rating_view(_current(facts.id))
    return render(request, "evaluation/rate/case.html", ctx, status=status)


# --- 我的评价 ---------------------------------------------------------------------------------------


@login_required
def mine(request):
    """GET /rate/mine/ — the applicant's ratings, newest first, and how to rate a finished case."""
    rows = []
    for r in Rating.objects.filter(rater=request.user).order_by("-created_at")[:100]:
        facts = cases_api.case_rating_facts(r.case_id) if r.case_id else None
        rows.append({"rating": rating_view(r), "current": r.current, "facts": facts})
    return render(request, "evaluation/rate/mine.html", {"rows": rows})


# --- the 24-hour kiosk -----------------------------------------------------------------------------


def _hall(hall_id: int) -> org.HallInfo:
    hall = org.hall_info(hall_id, windows=False)
    if hall is None:
        raise Http404("没有这个大厅。")
    return hall


def _kiosk_ctx(hall: org.HallInfo, **extra) -> dict:
    """What the kiosk frame (hall/kiosk/_base.html) needs: the start page and the idle reset."""
    home = reverse("hall:self_service", args=[hall.id])
    return {
        "hall": hall,
        "home_url": home,
        "kiosk_url": reverse("hall:kiosk", args=[hall.id]),
        "self_service_url": home,
        "idle_seconds": int(getattr(settings, "BANHAO_KIOSK_IDLE_SECONDS", 90)),
        "countdown_seconds": 10,
        **extra,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request, hall_id: int):
    """GET/POST /rate/kiosk/<hall>/ — case number + last 4 digits of the contact phone, then the
    on-site indicators (channel 自助服务终端)."""
    hall = _hall(hall_id)
    ctx = _kiosk_ctx(hall, number="", error="")
    status = 200
    if request.method == "POST":
        token = request.POST.get("token", "")
        if token:  # step 2: the rating, with the token the first step handed over
            try:
                case_id, channel = ratings.token_case(token)
                if channel != Rating.Channel.KIOSK:
                    raise ValidationError("评价已超时，请重新输入办件编号。")
            except ValidationError as e:
                ctx["error"] = e.messages[0]
                return _kiosk_page(request, ctx, 400)
            facts = cases_api.case_rating_facts(case_id)
            data = _posted(request, ONSITE_DIMENSIONS)
            try:
                ratings.rating_record_case(token=token, **data)
                ctx.update(facts=facts, given=rating_view(_current(case_id)), thanks=True)
                return _kiosk_page(request, ctx)
            except ratings.AlreadyRated as e:
                ctx.update(facts=facts, given=rating_view(_current(case_id)), notice=e.message)
                return _kiosk_page(request, ctx, 409)
            except ValidationError as e:
                ctx.update(facts=facts, token=token, **_form_context(ONSITE_DIMENSIONS, data, _errors(e)))
                return _kiosk_page(request, ctx, 400)
        number = request.POST.get("number", "")
        ctx["number"] = cases_api.normal_number(number)
        try:
            facts = case_by_phone(number=number, digits=request.POST.get("digits", ""), ip=_ip(request))
        except ValidationError as e:
            ctx["error"] = e.messages[0]
            return _kiosk_page(request, ctx, 400)
        given = rating_view(_current(facts.id))
        if given is not None:
            ctx.update(facts=facts, given=given, notice=ratings.AlreadyRated.message)
        elif not facts.ratable:
            ctx.update(facts=facts, notice="办件送达或办结后才能评价。")
        else:
            ctx.update(
                facts=facts,
                token=ratings.rating_token(facts.id, Rating.Channel.KIOSK),
                **_form_context(ONSITE_DIMENSIONS),
            )
    return _kiosk_page(request, ctx, status)


def _kiosk_page(request, ctx: dict, status: int = 200):
    if ctx.get("facts") is not None:  # a case on screen: the page leaves by itself, even without JS
        ctx["refresh_seconds"] = ctx["idle_seconds"] + 30
    return render(request, "evaluation/rate/kiosk.html", ctx, status=status)


# --- the QR code at each window -------------------------------------------------------------------


def window_key(window_id: int) -> str:
    return signing.dumps({"w": window_id}, salt=WINDOW_SALT)


def _window_for(key: str) -> org.WindowInfo:
    try:
        data = signing.loads(key, salt=WINDOW_SALT)
    except signing.BadSignature:
        raise Http404("二维码无效。") from None
    window = org.window_info(int(data.get("w", 0)), departments=False)
    if window is None or not window.active:
        raise Http404("该窗口已停用。")
    return window


@staff_required("hall.manage")
def windows(request):
    """GET /rate/windows/ — the printable QR sheet of every active window of the manager's halls."""
    scope = request.scope
    halls = []
    for hid, _name, _region in org.hall_list(None if scope.is_city_wide else scope.region_ids):
        info = org.hall_info(hid)
        rows = []
        for w in info.windows:
            if not w.active:
                continue
            url = request.build_absolute_uri(reverse("rating:window", args=[window_key(w.id)]))
            rows.append({"window": w, "url": url, "qr": qr_data_uri(url)})
        halls.append((info, rows))
    return render(request, "evaluation/rate/windows.html", {"halls": halls})


def _today_ticket(window: org.WindowInfo, number: str) -> hall_api.TicketFinished | None:
    number = re.sub(r"\s", "", cases_api.normal_number(number)).upper()
    if not number:
        return None
    found = [
        t
        for t in hall_api.ticket_finished_facts(
            hall_id=window.hall_id, day=timezone.localdate(), window_id=window.id
        )
        if t.number.upper() == number
    ]
    return found[-1] if found else None


@never_cache
@require_http_methods(["GET", "POST"])
def window_rate(request, key: str):
    """GET/POST /rate/window/<key>/ — the window's QR code: today's ticket number (one rating per
    visit) or a case number with the last 4 digits of its contact phone."""
    window = _window_for(key)
    ctx = {"window": window, "key": key, "ticket": "", "error": "", "case_error": "", "number": ""}
    if request.method == "GET":
        return render(request, "evaluation/rate/window.html", ctx)
    if request.POST.get("case_number"):  # a case: prove the notice with the phone, then the token page
        ctx["number"] = cases_api.normal_number(request.POST["case_number"])
        try:
            facts = case_by_phone(
                number=request.POST["case_number"], digits=request.POST.get("digits", ""), ip=_ip(request)
            )
        except ValidationError as e:
            ctx["case_error"] = e.messages[0]
            return render(request, "evaluation/rate/window.html", ctx, status=400)
        return redirect("rating:token", ratings.rating_token(facts.id, Rating.Channel.QR))
    ctx["ticket"] = cases_api.normal_number(request.POST.get("ticket", "")).upper()
    ticket = _today_ticket(window, ctx["ticket"])
    if ticket is None or api.rating_for_ticket(ticket.ticket_id) is not None:
        ctx["error"] = TICKET_FAILED
        return render(request, "evaluation/rate/window.html", ctx, status=400)
    if "level" not in request.POST:  # step 1 done: the ticket is today's, at this window, not rated
        ctx.update(step="rate", **_form_context(ONSITE_DIMENSIONS))
        return render(request, "evaluation/rate/window.html", ctx)
    data = _posted(request, ONSITE_DIMENSIONS)
    try:
        # the on-site indicators, and for a bad rating a listed reason with a description
        checked = ratings.rating_check(channel=Rating.Channel.KIOSK, **data)
        info, created = api.rating_record_onsite(
            ticket_id=ticket.ticket_id,
            hall_id=window.hall_id,
            window_id=window.id,
            clerk_id=ticket.clerk_id,
            case_ids=list(ticket.case_ids),
            level=checked.level,
            dimensions=checked.dimensions,
            channel=Rating.Channel.QR,
            reasons=checked.reasons,
            comment=checked.comment,
        )
    except ValidationError as e:
        ctx.update(step="rate", **_form_context(ONSITE_DIMENSIONS, data, _errors(e)))
        return render(request, "evaluation/rate/window.html", ctx, status=400)
    if not created:
        ctx["error"] = TICKET_FAILED
        return render(request, "evaluation/rate/window.html", ctx, status=409)
    ctx.update(step="done", level_label=info.level_label)
    return render(request, "evaluation/rate/window.html", ctx)
