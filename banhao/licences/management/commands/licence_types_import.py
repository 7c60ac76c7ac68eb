from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from banhao.licences.excel import licence_types_import

ACTOR = "命令行导入（licence_types_import）"


class Command(BaseCommand):
    help = (
        "从Excel（.xlsx）工作簿导入证照目录（证照类型及其照面项）。先检查整个工作簿，"
        "有任何错误都不导入任何数据；格式同 licence_types_export 导出的工作簿。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 文件")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件“{file}”不存在。")
        with path.open("rb") as fh:
            report = licence_types_import(fh, actor=ACTOR)
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(report.summary)
        self.stdout.write(self.style.SUCCESS(report.summary))
