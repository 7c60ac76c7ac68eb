"""效能投诉 (mounted at /complaints/, namespace "complaints"): the public form and the staff
pages (complaint_views)."""

from django.urls import path

from . import complaint_views as views

app_name = "complaints"

urlpatterns = [
    path("new/", views.complaint_new, name="new"),
    path("new/done/", views.complaint_filed, name="filed"),
    path("", views.complaint_list, name="list"),
    path("register/", views.complaint_register, name="register"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/act/", views.complaint_act, name="act"),
    path("<int:pk>/evidence/", views.complaint_evidence, name="evidence"),
    path("<int:pk>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("<int:pk>/accountability/", views.accountability_new, name="accountability"),
]
