"""Request-scoped helpers: a request id for logs and audit rows, and the elder-mode flag."""

import re
import uuid

from .context import current_request_id, current_request_ip

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
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
        try:
            response = self.get_response(request)
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
