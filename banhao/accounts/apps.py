from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "banhao.accounts"
    label = "accounts"
    verbose_name = "账户与登录"
