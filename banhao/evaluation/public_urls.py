"""好差评公示 (mounted at /evaluation/public/, namespace "evaluation_public"): no login."""

from django.urls import path

from . import public_views as views

app_name = "evaluation_public"

urlpatterns = [path("", views.public_figures, name="figures")]
