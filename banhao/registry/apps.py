from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "banhao.registry"
    label = "registry"
    verbose_name = "基础信息库"

    def ready(self):
        from banhao.core.audit import register_action_labels

        register_action_labels(
            {
                "registry.person_register": "登记自然人",
                "registry.person_update": "修改自然人信息",
                "registry.organization_register": "登记法人",
                "registry.organization_update": "修改法人信息",
                "registry.account_open": "开通办事账户",
                "registry.mandate_grant": "经办人授权",
                "registry.mandate_revoke": "撤销经办人授权",
            }
        )
