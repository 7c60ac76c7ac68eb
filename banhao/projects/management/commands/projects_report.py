"""python manage.py projects_report [--json] [--today YYYY-MM-DD] [--region 371302]

For every project: the working days used per stage and in total (main line and whole process),
the limits, and whether it is within them. The JSON shape is documented in docs/projects.md.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "工程建设项目审批用时报告：每个项目各阶段和全流程已用工作日、时限及是否超时。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以JSON输出（结构见 docs/projects.md）")
        parser.add_argument("--today", help="按哪一天计算办理中阶段的用时（YYYY-MM-DD，默认今天）")
        parser.add_argument("--region", help="只列出该行政区划代码的项目")

    def handle(self, *args, **options):
        from banhao.projects.reports import report

        today = timezone.localdate()
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today 应为 YYYY-MM-DD 格式的日期。") from None
        data = report(today=today, region_code=options.get("region") or None)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        mark = {True: "未超时", False: "超时", None: "—"}
        for p in data["projects"]:
            self.stdout.write(
                f"{p['code']} {p['name']}（{p['track']}）主流程 {p['main_days']}/{p['main_limit_days']} 工作日，"
                f"全流程 {p['whole_days'] if p['whole_days'] is not None else '—'}/{p['whole_limit_days']} 工作日，"
                f"{mark[p['within_limits']]}"
            )
            for s in p["stages"]:
                used = s["used_days"] if s["used_days"] is not None else "—"
                self.stdout.write(
                    f"  {s['order']}. {s['name']}：{used}/{s['limit_days']} 工作日 {mark[s['within_limit']]}"
                )
        self.stdout.write(f"共 {len(data['projects'])} 个项目。")
