from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "banhao.accounts"
    label = "accounts"
    verbose_name = "账户与登录"

    def ready(self):
        from banhao.core.audit import register_action_labels

        register_action_labels(
            {
                "accounts.identity_refused": "网上注册实名核验未通过",
                "accounts.identity_confirmed": "网上注册经核验服务确认身份",
            }
        )
