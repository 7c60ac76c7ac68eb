from django.core.management.base import BaseCommand, CommandError

from banhao.licences.excel import licence_types_export
from banhao.licences.models import LicenceType


class Command(BaseCommand):
    help = (
        "把证照目录（证照类型及其照面项）导出为Excel（.xlsx）工作簿，可修改后用 licence_types_import 导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="要写入的 .xlsx 文件")

    def handle(self, *args, file, **options):
        data = licence_types_export()
        try:
            with open(file, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise CommandError(f"无法写入文件“{file}”：{exc.strerror or exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"已导出{LicenceType.objects.count()}种证照类型到 {file}。"))
