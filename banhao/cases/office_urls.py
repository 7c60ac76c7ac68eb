from django.urls import path

from . import office_views as views

app_name = "cases_office"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("claim/", views.bulk_claim, name="bulk_claim"),
    path("<str:number>/", views.case_detail, name="case_detail"),
    path("<str:number>/actions/", views.case_action, name="case_action"),
    path("<str:number>/identifier/", views.reveal_identifier, name="reveal_identifier"),
    path("<str:number>/materials/<int:pk>/", views.material_download, name="material_download"),
]
