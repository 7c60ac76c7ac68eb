"""DRF session authentication whose CSRF refusal is in Chinese (DRF's own says "CSRF Failed")."""

from drf_spectacular.authentication import SessionScheme as SpectacularSessionScheme
from rest_framework import authentication, exceptions

from banhao.core.views import CSRF_MESSAGE


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(CSRF_MESSAGE) from None


class SessionScheme(SpectacularSessionScheme):
    """The platform's session login in the OpenAPI document (cookie; CSRF header on writes)."""

    target_class = "banhao.core.rest.authentication.SessionAuthentication"
