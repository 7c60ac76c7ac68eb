"""我的证照 (the holder's wallet), under /licences/mine/ (namespace "licences")."""

from django.urls import path

from . import wallet_views as views

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="mine_detail"),
    path("<int:pk>/copy/", views.copy, name="mine_copy"),
]
