"""manage.py evaluation_sweep: the evaluation loop's daily work (scheduled): default ratings of
cases nobody rated in time; the 12345 callback plan of the cases finished since the previous
working day."""

from django.core.management.base import BaseCommand

from banhao.evaluation import callbacks, ratings


class Command(BaseCommand):
    help = "好差评每日清扫：逾期未评价的办件记为默认评价（单独统计）；生成12345回访计划。"

    def handle(self, *args, **options):
        n = ratings.rating_default_sweep()
        self.stdout.write(f"默认评价：{n} 件")
        n = callbacks.callback_plan()
        self.stdout.write(f"12345回访计划：新增 {n} 件")
