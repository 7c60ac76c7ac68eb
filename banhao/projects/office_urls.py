"""Staff pages, namespace "projects_office" (under /office/projects/)."""

from django.urls import path

from . import office_views, review_views

app_name = "projects_office"

urlpatterns = [
    path("", office_views.project_list, name="list"),
    path("<int:pk>/", office_views.project_detail, name="detail"),
    path("<int:pk>/stages/<int:stage_id>/", office_views.project_stage_notice, name="notice"),
    path("<int:pk>/stages/<int:stage_id>/desk/", review_views.stage_desk, name="desk"),
    path("tracks/", office_views.track_list, name="track_list"),
    path("tracks/versions/<int:pk>/", office_views.version_detail, name="version_detail"),
    path("tracks/versions/<int:pk>/copy/", office_views.version_copy, name="version_copy"),
    path("tracks/versions/<int:pk>/publish/", office_views.version_publish, name="version_publish"),
    path("tracks/versions/<int:pk>/stages/<int:stage_id>/", office_views.stage_edit, name="stage_edit"),
    path(
        "tracks/versions/<int:pk>/stages/<int:stage_id>/items/",
        office_views.stage_item_add,
        name="stage_item_add",
    ),
    path(
        "tracks/versions/<int:pk>/items/<int:item_id>/remove/",
        office_views.stage_item_remove,
        name="stage_item_remove",
    ),
]
