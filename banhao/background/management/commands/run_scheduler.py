"""manage.py run_scheduler: enqueue the periodic tasks of BANHAO_SCHEDULE when they are due."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from banhao.background import scheduler


class Command(BaseCommand):
    help = (
        "计划任务调度：按 BANHAO_SCHEDULE 把到点的清扫、索引重建等任务排入队列，由 db_worker 执行；"
        "并把被强行终止的工作进程遗留的“运行中”任务重新排队。可同时运行多个，同一时刻只排队一次。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一次后退出（cron 或测试用）")
        parser.add_argument("--tick", type=float, help="检查间隔（秒），默认 BANHAO_SCHEDULER_TICK_SECONDS")
        parser.add_argument(
            "--only",
            help="只调度这些计划任务（逗号分隔的名称，如 outbox_sweep）；遗留任务的回收总会进行",
        )

    def handle(self, *args, **options):
        self.running = True
        tick = options["tick"] or settings.BANHAO_SCHEDULER_TICK_SECONDS
        schedule = settings.BANHAO_SCHEDULE
        if options["only"] is not None:
            names = {n.strip() for n in options["only"].split(",") if n.strip()}
            unknown = names - set(schedule)
            if unknown:
                raise CommandError(f"没有这些计划任务：{'、'.join(sorted(unknown))}。")
            schedule = {name: spec for name, spec in schedule.items() if name in names}

        def stop(signum, frame):
            self.running = False

        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            self.stdout.write(f"计划任务调度已启动，每 {tick:g} 秒检查一次。")
        while True:
            try:
                for name in scheduler.tick(schedule=schedule):
                    self.stdout.write(f"已排队：{name}")
            except Exception as exc:  # the database may be away for a moment: try again next tick
                self.stderr.write(f"调度检查失败：{exc}")
            if options["once"]:
                return
            deadline = time.monotonic() + tick
            while self.running and time.monotonic() < deadline:
                time.sleep(min(0.2, tick))
            if not self.running:
                self.stdout.write("计划任务调度已停止。")
                return
            close_old_connections()  # a connection the database dropped while we slept is renewed
