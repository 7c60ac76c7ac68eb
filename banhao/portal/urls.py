from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.portal, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("elder/", views.elder_toggle, name="elder_toggle"),
]
