from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="api-catalog-search"),
    path("items/", views.ItemListView.as_view(), name="api-catalog-item-list"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="api-catalog-item-detail"),
]
