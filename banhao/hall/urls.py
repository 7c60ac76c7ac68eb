"""/hall/ — the physical hall. Each part has its own views and URL module."""

from django.urls import include, path

from . import desk_views

app_name = "hall"

urlpatterns = [
    path("", desk_views.index, name="index"),
    path("", include("banhao.hall.screen_urls")),  # /<hall>/screen/, /window/<id>/screen/, /<hall>/stats/
    path("", include("banhao.hall.kiosk_urls")),  # /<hall>/kiosk/, /<hall>/self-service/
    path("appointments/", include("banhao.hall.appointment_urls")),
    path("desk/", include("banhao.hall.desk_urls")),  # the clerk's workstation (the pad: evaluation)
    path("desk/accept/", include("banhao.hall.acceptance_urls")),
    path("pickup/", include("banhao.hall.pickup_urls")),
]
