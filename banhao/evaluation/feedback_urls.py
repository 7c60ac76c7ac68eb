"""The rater's page of a rectification's feedback, mounted at /rate/feedback/ (namespace
"rectify_feedback"): /rate/feedback/<id>/ (login as the rater, or ?t=<signed token> from the SMS)."""

from django.urls import path

from . import rectify_views as v

app_name = "rectify_feedback"

urlpatterns = [path("<int:pk>/", v.feedback_page, name="page")]
