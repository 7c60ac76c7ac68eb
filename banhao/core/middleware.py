"""Request-scoped helpers: a request id for logs and audit rows, the elder-mode flag, and the
404 for an id in the address that no database row can have."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import Http404

from .context import current_request_id, current_request_ip

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_logger = logging.getLogger("banhao.request")
ELDER_COOKIE = "banhao_elder"


class RequestIdMiddleware:
    """Tags each request with an id (taken from X-Request-ID when it looks sane)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = current_request_id.set(rid)
        ip_token = current_request_ip.set(request.META.get("REMOTE_ADDR"))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            if getattr(settings, "BANHAO_LOG_REQUESTS", False):
                # One line per request (the access log), inside the request id's context.
                request_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round(1000 * (time.perf_counter() - started), 1),
                    },
                )
        finally:
            current_request_id.reset(token)
            current_request_ip.reset(ip_token)
        response["X-Request-ID"] = rid
        return response


class ElderModeMiddleware:
    """Reads the persisted 长辈版 choice so the server renders the first paint right."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.elder_mode = request.COOKIES.get(ELDER_COOKIE) == "1"
        return self.get_response(request)


# Every primary key is a 64-bit signed integer (BigAutoField; SQLite's INTEGER).
DB_INT_MIN, DB_INT_MAX = -(2**63), 2**63 - 1


class OutOfRangeIdMiddleware:
    """An ``<int:…>`` in the address beyond the database's integer range is a 404.

    Django's ``int`` converter accepts any run of digits; passed on to a query, a number such
    as 99999999999999999999 made some views fail with OverflowError (a 500 with a traceback
    under DEBUG). No row can have such an id, so the answer is "not found", for every route
    at once rather than view by view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if type(value) is int and not DB_INT_MIN <= value <= DB_INT_MAX:
                raise Http404("地址中的编号超出范围。")
        return None


SESSION_SEEN_KEY = "_banhao_seen"


class SessionActivityMiddleware:
    """The idle timeout without a session write on every request (decision 0016).

    The session keeps the time it was last seen. A request re-saves the session (renewing its
    expiry of SESSION_COOKIE_AGE) only when that stamp is older than
    BANHAO_SESSION_REFRESH_SECONDS, so a user clicking along writes at most once a minute, and
    a session idle longer than SESSION_COOKIE_AGE is ended here (and expires in the store at the
    same time). A request that writes the session anyway (a login) stamps it for free. Sits
    right after SessionMiddleware, before AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            seen = session.get(SESSION_SEEN_KEY)
            now = time.time()
            if session.session_key is None:  # an unknown or expired key: nothing to keep alive
                pass
            elif seen is not None and now - seen > settings.SESSION_COOKIE_AGE:
                session.flush()  # idle too long: signed out
            elif seen is None or now - seen >= settings.BANHAO_SESSION_REFRESH_SECONDS:
                session[SESSION_SEEN_KEY] = now
        response = self.get_response(request)
        if session is not None and session.modified and not session.is_empty():
            session[SESSION_SEEN_KEY] = time.time()  # written anyway: stamp it
        return response
