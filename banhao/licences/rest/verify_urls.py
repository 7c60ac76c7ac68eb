"""verify_urls of the licence API (included by licences.rest.urls): public verification."""

from django.urls import path

from . import verify_views

urlpatterns = [
    path("verify/", verify_views.VerifyView.as_view(), name="api-licences-verify"),
]
