"""The applicant's pages of a case and the public lookup, mounted at /cases/."""

from django.urls import path, re_path

from . import applicant_views as views

app_name = "cases"

# 371302-20261124-00012: division code, date, daily sequence (services.case_number_next).
NUMBER = r"(?P<number>[0-9]{6,12}-[0-9]{8}-[0-9]{5,})"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("lookup/", views.lookup, name="lookup"),
    re_path(rf"^{NUMBER}/$", views.detail, name="detail"),
    re_path(rf"^{NUMBER}/withdraw/$", views.withdraw, name="withdraw"),
    re_path(rf"^{NUMBER}/correct/$", views.correct, name="correct"),
    re_path(rf"^{NUMBER}/notice/(?P<kind>[a-z_]+)\.pdf$", views.notice_pdf, name="notice"),
]
