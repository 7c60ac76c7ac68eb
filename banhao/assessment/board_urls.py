"""/assessment/boards/: the 红蓝榜 a hall manager reviews and publishes, and the blue list's
rectification tasks. (The public board is /hall/<hall id>/honour-board/, in config/urls.py.)"""

from django.urls import path

from . import board_views

app_name = "boards"

urlpatterns = [
    path("", board_views.board_list, name="list"),
    path("<int:pk>/", board_views.board_detail, name="detail"),
    path("<int:pk>/act/", board_views.board_act, name="act"),
    path("tasks/<int:pk>/", board_views.task_detail, name="task"),
    path("tasks/<int:pk>/act/", board_views.task_act, name="task_act"),
]
