"""office_urls of the licences app (included by licences.urls, namespace "licences"):
the issuing department's licence register (证照管理)."""

from django.urls import path

from . import office_views

urlpatterns = [
    path("", office_views.register, name="office_register"),
    path("<int:pk>/", office_views.detail, name="office_detail"),
    path("<int:pk>/act/", office_views.act, name="office_act"),
]
