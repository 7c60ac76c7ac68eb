"""A hall at work, for demonstrations: people take tickets and windows call and finish them.

    python manage.py hall_simulate [--hall ID] [--interval 3] [--minutes 30]

Runs against the configured database through the same services as the real hall (tickets
numbered per zone, calls atomic, events for the screens), so the big screen at
/hall/<id>/screen/ and the statistics move in real time. Windows that a clerk has signed in to
(their desk has a clerk) are left to that clerk. Stop it with Ctrl+C.
"""

from __future__ import annotations

import random
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

import banhao.org.api as org
from banhao.hall import services
from banhao.hall.models import Desk, Ticket


class Command(BaseCommand):
    help = "模拟大厅的取号、叫号与办结（演示用），让叫号大屏和实时统计动起来。"

    def add_arguments(self, parser):
        parser.add_argument("--hall", type=int, help="大厅编号（默认第一个大厅）")
        parser.add_argument("--interval", type=float, default=3.0, help="每一步的间隔秒数")
        parser.add_argument("--minutes", type=float, default=30.0, help="运行多少分钟后停止")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **opts):
        halls = org.hall_list()
        if not halls:
            raise CommandError("没有政务服务大厅，请先运行 python manage.py load_demo。")
        hall_id = opts["hall"] or halls[0][0]
        hall = org.hall_info(hall_id)
        if hall is None:
            raise CommandError(f"没有编号为{hall_id}的大厅。")
        rng = random.Random(opts["seed"])  # noqa: S311 - a demonstration, not a secret
        zones = [z for z in hall.zones if z.takes_tickets]
        busy_clerks = set(Desk.objects.filter(clerk__isnull=False).values_list("window_id", flat=True))
        windows = [w for w in hall.windows if w.active and w.id not in busy_clerks]
        self.stdout.write(
            f"模拟 {hall.name}：{len(zones)} 个功能区，{len(windows)} 个窗口。大屏：/hall/{hall.id}/screen/"
        )
        deadline = time.monotonic() + opts["minutes"] * 60
        n = 0
        try:
            while time.monotonic() < deadline:
                n += 1
                for _ in range(rng.randint(0, 2)):
                    zone = rng.choice(zones)
                    try:
                        t, _ = services.ticket_issue(
                            hall_id=hall.id,
                            zone_id=zone.id,
                            source=Ticket.Source.KIOSK,
                            phone=f"139{rng.randrange(10**8):08d}",
                            green="elderly" if rng.random() < 0.08 else "",
                        )
                        self.stdout.write(f"取号 {t.number}（{zone.name}）")
                    except ValidationError as e:
                        self.stdout.write("；".join(e.messages))
                window = rng.choice(windows)
                desk = Desk.objects.filter(window_id=window.id).first()
                try:
                    if desk and desk.current_id:
                        step = rng.random()
                        if step < 0.75:
                            t = services.ticket_finish(window_id=window.id, staff_id=None, actor_label="模拟")
                            self.stdout.write(f"{window.label} 办结 {t.number}")
                        elif step < 0.9:
                            t = services.ticket_recall(window_id=window.id, staff_id=None, actor_label="模拟")
                            self.stdout.write(f"{window.label} 重呼 {t.number}")
                        else:
                            t = services.ticket_skip(window_id=window.id, staff_id=None, actor_label="模拟")
                            self.stdout.write(f"{window.label} 过号 {t.number}")
                    else:
                        t = services.ticket_call_next(window_id=window.id, staff_id=None, actor_label="模拟")
                        if t:
                            self.stdout.write(f"请{t.number}到{window.number}号窗口办理")
                except ValidationError as e:
                    self.stdout.write("；".join(e.messages))
                time.sleep(opts["interval"])
        except KeyboardInterrupt:
            pass
        self.stdout.write(self.style.SUCCESS(f"模拟结束，共 {n} 步。"))
