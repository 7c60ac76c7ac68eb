"""/hall/appointments/ — online appointments for applicants (预约取号)."""

from django.urls import path

from . import appointment_views

urlpatterns = [
    path("", appointment_views.book, name="appointments"),
    path("mine/", appointment_views.mine, name="my_appointments"),
    path("mine/<int:pk>/", appointment_views.detail, name="appointment_detail"),
    path("mine/<int:pk>/cancel/", appointment_views.cancel, name="appointment_cancel"),
    path("mine/<int:pk>/reschedule/", appointment_views.reschedule, name="appointment_reschedule"),
]
