from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("departments/", views.department_list, name="department_list"),
    path("halls/", views.hall_list, name="hall_list"),
    path("windows/", views.window_list, name="window_list"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
]
