from django.urls import path

from . import views

urlpatterns = [
    path("calendar/deadline/", views.DeadlineView.as_view(), name="api-calendar-deadline"),
]
