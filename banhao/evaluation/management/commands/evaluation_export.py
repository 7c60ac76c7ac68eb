"""manage.py evaluation_export --format national --month YYYY-MM FILE

Writes the month's ratings in an upload coding (export.py: national 5 = 非常满意 … 1 = 非常不满意;
gbt39046 the other way round; more formats per province in BANHAO_RATING_EXPORTERS) and prints a
one-line summary. ``--push`` instead queues the push to the configured platform endpoint
(BANHAO_RATING_PUSH) as a background task."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from banhao.evaluation import export


class Command(BaseCommand):
    help = "导出某月的好差评数据（国家上报编码或 GB/T 39046 编码），或推送至省级平台。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="输出文件（- 为标准输出）")
        parser.add_argument(
            "--format", default="national", help="导出格式：national（默认）、gbt39046 或已配置的省级格式"
        )
        parser.add_argument("--month", required=True, help="月份，YYYY-MM")
        parser.add_argument("--push", action="store_true", help="推送至省级平台（后台任务）")

    def handle(self, *args, **options):
        fmt, month, path = options["format"], options["month"], options["file"]
        try:
            export.month_range(month)
            export.exporter(fmt)
        except ValueError as e:
            raise CommandError(str(e)) from None
        if options["push"]:
            conf = export.push_settings()
            if not conf["url"]:
                self.stdout.write("未配置省级平台推送地址（BANHAO_RATING_PUSH 的 url），未推送。")
                return
            from banhao.evaluation.tasks import ratings_push

            with transaction.atomic():
                result = ratings_push.enqueue(month, fmt)
            self.stdout.write(f"push queued format={fmt} month={month} task={result.id}")
            return
        if not path:
            raise CommandError("请指定输出文件（或 - 输出到屏幕）。")
        if path == "-":
            data = export.export_month(fmt=fmt, month=month, fp=self.stdout)
        else:
            with open(path, "w", encoding="utf-8") as fp:
                data = export.export_month(fmt=fmt, month=month, fp=fp)
        summary = (
            f"ratings={len(data.rows)} format={fmt} month={month} file={path} "
            f"default={data.default} excluded_not_sent={data.excluded}"
        )
        # on the screen the summary goes to stderr, so that stdout stays the document
        (self.stderr if path == "-" else self.stdout).write(summary)
