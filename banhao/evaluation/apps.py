from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "banhao.evaluation"
    label = "evaluation"
    verbose_name = "好差评"
