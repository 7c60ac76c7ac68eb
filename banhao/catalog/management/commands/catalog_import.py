from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from banhao.catalog.excel import import_catalog

ACTOR = "命令行导入（catalog_import）"


class Command(BaseCommand):
    help = (
        "从Excel（.xlsx）工作簿导入市级标准化文本和实施清单。先检查整个工作簿，"
        "有任何错误都不导入任何数据；内容未变化的事项不产生新版本。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 文件（格式同 catalog_export 导出的工作簿）")
        parser.add_argument("--publish", action="store_true", help="导入后直接发布新建或变更的版本")

    def handle(self, *args, file, publish, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件“{file}”不存在。")
        report = import_catalog(path, actor=ACTOR, publish=publish)
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(report.summary)
        self.stdout.write(self.style.SUCCESS(report.summary))
