from django.core.management.base import BaseCommand, CommandError

from banhao.catalog.excel import export_catalog


class Command(BaseCommand):
    help = "把市级标准化文本（默认每项的已发布版本）和实施清单的本地字段导出为Excel（.xlsx）工作簿。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要写入的 .xlsx 文件")
        parser.add_argument(
            "--all-statuses",
            action="store_true",
            help="导出每项的最新版本（任何状态，包括草稿），而不只是已发布版本",
        )

    def handle(self, *args, file, all_statuses, **options):
        try:
            result = export_catalog(file, status=None if all_statuses else "published")
        except OSError as exc:
            raise CommandError(f"无法写入文件“{file}”：{exc.strerror or exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出{result.standards}项标准化文本、{result.implementations}条实施清单到 {file}。"
            )
        )
