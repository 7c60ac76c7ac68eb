from django.urls import path

from . import search_views

app_name = "catalog_search"
urlpatterns = [
    path("", search_views.search_page, name="search"),
]
