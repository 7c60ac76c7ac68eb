from django.urls import path

from . import manage_views as views

app_name = "catalog_manage"
urlpatterns = [
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_edit, name="item_new"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
    path("items/<str:code>/edit/", views.item_edit, name="item_edit"),
    path("items/<str:code>/compare/", views.version_compare, name="version_compare"),
    path("items/<str:code>/files/", views.material_file_upload, name="material_file_upload"),
    path(
        "items/<str:code>/versions/<int:number>/transition/",
        views.version_transition,
        name="version_transition",
    ),
    path("implementations/", views.implementation_list, name="implementation_list"),
    path("implementations/<int:pk>/", views.implementation_detail, name="implementation_detail"),
    path("audit/", views.audit, name="audit"),
    path("import/", views.excel_import, name="excel_import"),
    path("export/", views.excel_export, name="excel_export"),
]
