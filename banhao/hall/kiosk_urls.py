"""Hall devices without login: the ticket kiosk and the 24-hour self-service area."""

from django.urls import path

from . import kiosk_views as views

urlpatterns = [
    path("<int:hall_id>/kiosk/", views.kiosk, name="kiosk"),
    path("<int:hall_id>/kiosk/zone/<int:zone_id>/", views.identify, name="kiosk_identify"),
    path("<int:hall_id>/kiosk/ticket/<str:token>/", views.ticket_page, name="kiosk_ticket"),
    path("<int:hall_id>/kiosk/check-in/", views.check_in, name="kiosk_check_in"),
    path("<int:hall_id>/self-service/", views.self_service, name="self_service"),
    path("<int:hall_id>/self-service/guide/", views.guide_search, name="self_service_guide"),
    path(
        "<int:hall_id>/self-service/guide/<int:implementation_id>/",
        views.guide_detail,
        name="self_service_guide_detail",
    ),
    path("<int:hall_id>/self-service/lookup/", views.lookup, name="self_service_lookup"),
    path("<int:hall_id>/self-service/decision/", views.decision, name="self_service_decision"),
    path(
        "<int:hall_id>/self-service/decision/<str:token>/pdf/",
        views.decision_pdf,
        name="self_service_decision_pdf",
    ),
]
