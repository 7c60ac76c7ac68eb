"""The hall's screens (public devices) and the live statistics (hall managers)."""

from django.urls import path

from . import screen_views

urlpatterns = [
    path("<int:hall_id>/screen/", screen_views.screen, name="screen"),
    path("<int:hall_id>/screen/feed/", screen_views.screen_feed, name="screen_feed"),
    path("window/<int:window_id>/screen/", screen_views.window_screen, name="window_screen"),
    path("window/<int:window_id>/screen/feed/", screen_views.window_screen_feed, name="window_screen_feed"),
    path("<int:hall_id>/stats/", screen_views.stats, name="stats"),
]
