"""12345 pages under /hotline/ (namespace "hotline"): callbacks, tickets, the unit figures."""

from django.urls import path

from . import hotline_views as views

app_name = "hotline"

urlpatterns = [
    path("callbacks/", views.callback_list, name="callbacks"),
    path("callbacks/<int:pk>/", views.callback_detail, name="callback"),
    path("callbacks/<int:pk>/phone/", views.callback_phone, name="callback_phone"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/act/", views.ticket_action, name="ticket_act"),
    path("tickets/<int:pk>/phone/", views.ticket_phone, name="ticket_phone"),
    path("department/", views.department_tickets, name="department_tickets"),
    path("metrics/", views.metrics, name="metrics"),
]
