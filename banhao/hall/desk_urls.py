from django.urls import path

from . import desk_views

urlpatterns = [
    path("", desk_views.desk, name="desk"),
    path("act/", desk_views.act, name="desk_act"),
    path("pads/", desk_views.pads, name="pads"),
    path("pad/<int:window_id>/", desk_views.pad, name="pad"),
    path("pad/<int:window_id>/rate/", desk_views.pad_rate, name="pad_rate"),
]
