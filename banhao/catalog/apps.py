from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "banhao.catalog"
    label = "catalog"
    verbose_name = "标准化事项目录"

    def ready(self):
        from banhao.core.audit import register_action_labels

        register_action_labels(
            {
                "catalog.version_create": "新建标准化文本版本",
                "catalog.version_update": "修改标准化文本草稿",
                "catalog.version_submit": "提交审核",
                "catalog.version_return": "退回修改",
                "catalog.version_publish": "发布",
                "catalog.version_retire": "停用",
                "catalog.implementation_create": "新建实施清单",
                "catalog.implementation_update": "修改实施清单",
                "catalog.implementation_publish": "发布实施清单",
                "catalog.implementation_retire": "停用实施清单",
                "catalog.material_file_attach": "上传材料样表",
            }
        )
