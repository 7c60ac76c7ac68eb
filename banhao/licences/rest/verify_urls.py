"""verify_urls of the licence API (included by licences.rest.urls)."""

urlpatterns: list = []
