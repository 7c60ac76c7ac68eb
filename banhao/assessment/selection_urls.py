"""/assessment/selection/: 红旗窗口与服务明星评选 (rounds, nominations, review, notice, published lists)."""

from django.urls import path

from . import selection_views as views

app_name = "selection"

urlpatterns = [
    path("", views.round_list, name="list"),
    path("published/", views.published, name="published"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/act/", views.round_act, name="act"),
    path("<int:pk>/nominate/", views.round_nominate, name="nominate"),
    path("<int:pk>/exclude/", views.round_exclude, name="exclude"),
    path("<int:pk>/review/", views.round_review, name="review"),
    path("<int:pk>/notice.pdf", views.round_notice, name="notice"),
]
