"""Rating pages, mounted at /rate/ (config/urls.py); namespace "rating"."""

from django.urls import path

from . import rating_views as views

app_name = "rating"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("case/<str:number>/", views.case_rate, name="case"),
    path("t/<str:token>/", views.token_rate, name="token"),
    path("kiosk/<int:hall_id>/", views.kiosk, name="kiosk"),
    path("windows/", views.windows, name="windows"),
    path("window/<str:key>/", views.window_rate, name="window"),
]
