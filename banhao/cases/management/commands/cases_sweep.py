import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from banhao.cases.services import warning_sweep


class Command(BaseCommand):
    help = (
        "时限预警：把临期办件标为黄色、超期办件标为红色并报部门负责人督办。每天上班前运行一次（可重复运行）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期检查（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        result = warning_sweep(today)
        self.stdout.write(f"临期预警 {result['yellow']} 件，新增超期 {result['red']} 件。")
