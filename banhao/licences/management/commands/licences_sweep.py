"""manage.py licences_sweep: licences past their validity become expired (scheduled nightly)."""

from django.core.management.base import BaseCommand

from banhao.licences import services


class Command(BaseCommand):
    help = "电子证照到期清扫：把超过有效期的证照置为“已过期”，并通知持证人。"

    def handle(self, *args, **options):
        n = services.licence_expire_sweep()
        self.stdout.write(f"已过期证照：{n} 本")
