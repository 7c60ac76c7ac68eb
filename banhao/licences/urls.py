"""Pages of the licences app under /licences/: public verification, the holder's wallet, and the
issuing department's licence register."""

from django.urls import include, path

app_name = "licences"

urlpatterns = [
    path("", include("banhao.licences.verify_urls")),
    path("mine/", include("banhao.licences.wallet_urls")),
    path("office/", include("banhao.licences.office_urls")),
]
