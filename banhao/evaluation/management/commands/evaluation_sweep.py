"""manage.py evaluation_sweep: the evaluation loop's daily work (scheduled): default ratings of
cases nobody rated in time; 差评整改 reminders before the deadline, escalation when overdue,
and closing fed-back rectifications whose rater did not re-rate in time; the 12345 callback plan
of the cases finished since the previous working day."""

from django.core.management.base import BaseCommand

from banhao.evaluation import callbacks, ratings, rectification


class Command(BaseCommand):
    help = "好差评每日清扫：默认评价；差评整改到期提醒、超期督办、追评期满办结；生成12345回访计划。"

    def handle(self, *args, **options):
        n = ratings.rating_default_sweep()
        self.stdout.write(f"默认评价：{n} 件")
        done = rectification.rectification_sweep()
        self.stdout.write(f"差评整改到期提醒：{done['reminded']} 件")
        self.stdout.write(f"差评整改超期督办：{done['escalated']} 件")
        self.stdout.write(f"差评整改追评期满办结：{done['closed']} 件")
        n = callbacks.callback_plan()
        self.stdout.write(f"12345回访计划：新增 {n} 件")
