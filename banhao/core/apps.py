from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "banhao.core"
    label = "core"
    verbose_name = "基础内核"
