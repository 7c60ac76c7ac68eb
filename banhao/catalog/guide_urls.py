from django.urls import path

from . import guide_views as views

app_name = "guide"
urlpatterns = [
    path("<int:implementation_id>/", views.guide, name="detail"),
    path("<int:implementation_id>/pdf/", views.guide_pdf, name="pdf"),
    path("<int:implementation_id>/procedure/", views.procedure, name="procedure"),
    path("files/<int:file_id>/", views.material_file, name="material_file"),
]
