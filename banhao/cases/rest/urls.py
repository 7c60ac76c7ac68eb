from django.urls import path

from . import views

urlpatterns = [
    path("", views.CaseListView.as_view(), name="api-cases-list"),
    path("<str:number>/", views.CaseDetailView.as_view(), name="api-cases-detail"),
    path("<str:number>/events/", views.CaseEventsView.as_view(), name="api-cases-events"),
    path("<str:number>/actions/", views.CaseActionView.as_view(), name="api-cases-action"),
]
