"""python manage.py assessment_compute --period YYYY-MM (or YYYY-Q4, YYYY)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "计算考核周期的得分（月度；季末、年末同时计算季度、年度方案），每类考核对象输出一行。"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM、YYYY-Q1…Q4 或 YYYY")

    def handle(self, *args, period, **options):
        from banhao.assessment.compute import assessment_compute

        try:
            summaries = assessment_compute(period)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for s in summaries:
            self.stdout.write(f"kind={s.kind} subjects={s.subjects} published={s.published}")
