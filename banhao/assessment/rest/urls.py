"""/api/v1/assessment/: the published 红蓝榜 (public read)."""

from django.urls import path

from . import views

urlpatterns = [
    path("boards/", views.BoardView.as_view(), name="api-assessment-boards"),
]
