from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "banhao.hall"
    label = "hall"
    verbose_name = "政务服务大厅"
