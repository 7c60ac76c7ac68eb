from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "banhao.projects"
    label = "projects"
    verbose_name = "工程建设项目"
