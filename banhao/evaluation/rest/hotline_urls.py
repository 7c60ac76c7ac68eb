"""/api/v1/hotline/: the 12345 system pushes its tickets and reads their state."""

from django.urls import path

from . import hotline_views as views

urlpatterns = [
    path("tickets/", views.TicketReceiveView.as_view(), name="api-hotline-tickets"),
    path("tickets/<str:number>/", views.TicketDetailView.as_view(), name="api-hotline-ticket"),
]
