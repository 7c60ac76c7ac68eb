from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:notification_id>/open/", views.notice_open, name="open"),
    path("read-all/", views.notice_read_all, name="read_all"),
]
