"""The platform's URLs plus one view that fails, to see the 500 page as a visitor would."""

from django.urls import path

from config.urls import handler400
from config.urls import urlpatterns as platform


def boom(request):
    raise RuntimeError("a bug, on purpose")


urlpatterns = [*platform, path("boom/", boom)]
__all__ = ["handler400", "urlpatterns"]
