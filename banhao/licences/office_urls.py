"""office_urls of the licences app (included by licences.urls, namespace "licences")."""

urlpatterns: list = []
