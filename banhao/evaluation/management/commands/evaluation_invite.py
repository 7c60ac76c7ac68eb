"""manage.py evaluation_invite: SMS invitations to rate the cases delivered or concluded since
the last run (scheduled every few minutes; idempotent)."""

from django.core.management.base import BaseCommand

from banhao.evaluation.invitations import rating_invite_sweep


class Command(BaseCommand):
    help = "向新近送达或办结的办件发送评价邀请短信（每件一次）。"

    def handle(self, *args, **options):
        n = rating_invite_sweep()
        self.stdout.write(f"评价邀请短信：{n} 条")
