import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from banhao.hall.acceptance_form import window_scans_purge
from banhao.hall.services import appointment_mark_no_shows


class Command(BaseCommand):
    help = (
        "预约爽约：把时段已结束仍未签到的预约标记为爽约；并清理窗口受理中未提交表单留下的扫描件。可重复运行；"
        "建议每个工作日中午和下班后各运行一次（如 cron：5 12,17 * * 1-5）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", help="按该时刻检查（YYYY-MM-DD HH:MM，本地时间），默认现在")

    def handle(self, *args, **options):
        now = None
        if options["at"]:
            try:
                now = dt.datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError("时刻格式应为 YYYY-MM-DD HH:MM。") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        n = appointment_mark_no_shows(now)
        self.stdout.write(f"标记爽约 {n} 个预约。")
        purged = window_scans_purge(now)
        self.stdout.write(f"清理未提交的窗口扫描件 {purged} 个。")
