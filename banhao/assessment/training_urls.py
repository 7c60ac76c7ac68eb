"""学习培训 pages, under /assessment/training/ (namespace "training")."""

from django.urls import path

from . import training_views as v

app_name = "training"

urlpatterns = [
    path("mine/", v.mine, name="mine"),
    path("courses/<int:pk>/", v.course, name="course"),
    path("courses/<int:pk>/confirm/", v.confirm, name="confirm"),
    path("courses/<int:pk>/material/", v.material, name="material"),
    path("sessions/<int:pk>/enrol/", v.enrol, name="enrol"),
    path("sessions/<int:pk>/attendance/", v.attendance, name="attendance"),
    path("manage/", v.manage, name="manage"),
    path("manage/courses/new/", v.course_edit, name="course_new"),
    path("manage/courses/<int:pk>/", v.course_edit, name="course_edit"),
    path("manage/courses/<int:pk>/sessions/new/", v.session_new, name="session_new"),
    path("manage/records/", v.records, name="records"),
    path("manage/records/export/", v.records_export, name="records_export"),
]
