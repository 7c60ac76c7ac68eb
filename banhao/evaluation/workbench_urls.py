"""The supervisor's workbench and the department's view (mounted at /evaluation/, namespace
"evaluation_office")."""

from django.urls import path

from . import workbench_views as views

app_name = "evaluation_office"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("department/", views.department_view, name="department"),
]
