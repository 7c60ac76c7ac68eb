from django.urls import path

from . import desk_views

# The rating pad's addresses (/hall/desk/pads/, /hall/desk/pad/<window>/…) are served by
# banhao.evaluation.pad_urls, mounted at the same prefix in config/urls.py.
urlpatterns = [
    path("", desk_views.desk, name="desk"),
    path("act/", desk_views.act, name="desk_act"),
]
