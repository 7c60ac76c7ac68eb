"""The rating pad's device addresses, mounted at /hall/desk/ (config/urls.py) so that the
tablets already bound to a window keep working: /hall/desk/pads/, /hall/desk/pad/<window>/,
/hall/desk/pad/<window>/rate/."""

from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("pads/", views.pads, name="pads"),
    path("pad/<int:window_id>/", views.pad, name="pad"),
    path("pad/<int:window_id>/rate/", views.pad_rate, name="pad_rate"),
]
