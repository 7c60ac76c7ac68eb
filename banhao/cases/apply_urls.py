from django.urls import path

from . import apply_views as views

app_name = "apply"

urlpatterns = [
    path("<int:implementation_id>/", views.apply, name="start"),
    path("done/<str:number>/", views.done, name="done"),
]
