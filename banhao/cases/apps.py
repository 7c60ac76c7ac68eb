from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "banhao.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self):
        from banhao.core.audit import register_action_labels

        register_action_labels({"cases.reveal_identifier": "查看完整证件号码"})
