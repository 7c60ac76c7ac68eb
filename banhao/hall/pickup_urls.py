"""/hall/pickup/ — the unified pickup window (统一出件)."""

from django.urls import re_path

from . import pickup_views as views

NUMBER = r"(?P<number>[0-9]{6,12}-[0-9]{8}-[0-9]{5,})"

urlpatterns = [
    re_path(r"^$", views.pickup, name="pickup"),
    re_path(rf"^{NUMBER}/$", views.handover, name="pickup_handover"),
    re_path(rf"^{NUMBER}/receipt/$", views.receipt, name="pickup_receipt"),
]
