"""verify_urls of the licences app (included by licences.urls, namespace "licences"):
the public verification page the licences' QR codes open."""

from django.urls import path

from . import verify_views

urlpatterns = [
    path("verify/", verify_views.verify, name="verify"),
]
