"""/assessment/: scorecards (考核评分) and one's own (我的考核)."""

from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("scorecards/", views.scorecard_list, name="scorecards"),
    path("scorecards/<str:kind>/<int:subject_id>/", views.scorecard, name="scorecard"),
    path("scorecards/<str:kind>/<int:subject_id>/facts/<str:key>/", views.scorecard_facts, name="facts"),
    path("manual/", views.manual_items, name="manual"),
    path("manual/<int:pk>/decide/", views.manual_item_decide, name="manual_decide"),
    path("mine/", views.mine, name="mine"),
    path("mine/facts/<str:key>/", views.mine_facts, name="mine_facts"),
]
