"""The licence API under /api/v1/licences/: verification (public) and sharing (API clients and
staff; every sharing call carries a 用证事由)."""

from django.urls import include, path

urlpatterns = [
    path("", include("banhao.licences.rest.verify_urls")),
    path("", include("banhao.licences.rest.sharing_urls")),
]
