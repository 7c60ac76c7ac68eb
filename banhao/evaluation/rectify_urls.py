"""差评整改 pages, mounted at /evaluation/rectify/ (namespace "rectify"): the units' list and
detail with the next steps, the appeal form, the supervisor's appeal review and overview."""

from django.urls import path

from . import rectify_views as v

app_name = "rectify"

urlpatterns = [
    path("", v.rect_list, name="list"),
    path("<int:pk>/", v.rect_detail, name="detail"),
    path("<int:pk>/act/", v.rect_act, name="act"),
    path("<int:pk>/appeal/", v.appeal_new, name="appeal"),
    path("appeals/", v.appeal_list, name="appeals"),
    path("appeals/<int:pk>/", v.appeal_detail, name="appeal_detail"),
    path("appeals/evidence/<int:pk>/", v.evidence_file, name="evidence"),
    path("overview/", v.overview, name="overview"),
]
