"""The sharing API under /api/v1/licences/ (included by licences.rest.urls after verify_urls).

An identifier always starts with 1.2.156. (GB/T 36904), so the identifier patterns never take
``verify/`` or ``by-qr/``."""

from django.urls import path, re_path

from . import sharing_views as views

IDENTIFIER = r"(?P<identifier>1\.2\.156\.[0-9A-Za-z.]{1,110})"

urlpatterns = [
    path("", views.LicenceQueryView.as_view(), name="api-licences-list"),
    path("by-qr/", views.LicenceByQrView.as_view(), name="api-licences-by-qr"),
    re_path(rf"^{IDENTIFIER}/$", views.LicenceDetailView.as_view(), name="api-licences-detail"),
    re_path(rf"^{IDENTIFIER}/copy/$", views.LicenceCopyView.as_view(), name="api-licences-copy"),
]
