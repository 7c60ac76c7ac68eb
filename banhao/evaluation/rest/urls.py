from django.urls import path

from . import views

urlpatterns = [path("", views.RatingCreateView.as_view(), name="api-ratings")]
