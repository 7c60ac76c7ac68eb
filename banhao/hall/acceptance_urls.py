"""/hall/desk/accept/ — comprehensive acceptance at the window (前台综合受理)."""

from django.urls import path, re_path

from . import acceptance_views as views

# 371302-20261124-00012: division code, date, daily sequence (cases.services.case_number_next).
NUMBER = r"(?P<number>[0-9]{6,12}-[0-9]{8}-[0-9]{5,})"

urlpatterns = [
    path("", views.start, name="accept"),
    path("item/<int:implementation_id>/", views.item, name="accept_item"),
    re_path(rf"^done/{NUMBER}/$", views.done, name="accept_done"),
    re_path(rf"^notice/{NUMBER}/(?P<kind>[a-z_]+)\.pdf$", views.notice, name="accept_notice"),
]
