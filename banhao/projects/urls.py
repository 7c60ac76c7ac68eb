"""The owner's pages, namespace "projects" (under /projects/)."""

from django.urls import path

from . import owner_views, review_views

app_name = "projects"

urlpatterns = [
    path("", owner_views.mine, name="mine"),
    path("<int:pk>/", owner_views.detail, name="detail"),
    path("<int:pk>/stages/<int:stage_id>/", owner_views.notice, name="notice"),
    path("<int:pk>/stages/<int:stage_id>/submit/", review_views.stage_submit, name="submit"),
]
