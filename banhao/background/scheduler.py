"""Periodic work for django-tasks, which has no scheduler of its own (decision 0008).

``BANHAO_SCHEDULE`` names each entry with either a management ``command`` (run through the
``command_run`` task) or a ``task`` path, and either local times ``at`` (["12:05", "17:05"],
optionally only on ``workdays`` of the working-day calendar) or ``every`` N seconds.

``tick(now)`` computes each entry's current slot (the latest of its times that has passed,
today or yesterday, or the epoch bucket of ``every``) and, in ONE transaction, inserts a
``ScheduledRun(name, slot)`` row and enqueues the task. The row's unique key makes a second
scheduler's insert fail, so however many schedulers run, a slot is enqueued once. A scheduler
that was down catches up the latest missed slot only (the sweeps are idempotent, a backlog of
runs would do nothing more).

``tasks_recover_stale(now)``: django-tasks-db marks a task RUNNING in its own short transaction
and runs it outside any; a worker killed by SIGKILL (or a crashed machine) leaves the row
RUNNING for ever, and no worker looks at it again. Each tick makes such rows READY once they
have run longer than BANHAO_TASK_STALE_SECONDS, so another worker runs them. Every task of
ours is idempotent, which makes that safe even if the "dead" worker was only slow.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from banhao.core.calendar import is_workday

from .models import ScheduledRun

logger = logging.getLogger("banhao.background")
KEEP_RUNS = dt.timedelta(days=30)  # ScheduledRun rows older than this are deleted


@dataclass(frozen=True)
class Entry:
    name: str
    command: str = ""
    task: str = ""
    at: tuple[dt.time, ...] = ()
    every: int = 0
    workdays: bool = False


def entries(schedule: dict | None = None) -> list[Entry]:
    """The schedule from settings, checked (a wrong entry is a configuration error)."""
    schedule = settings.BANHAO_SCHEDULE if schedule is None else schedule
    out = []
    for name, spec in schedule.items():
        command, task = spec.get("command", ""), spec.get("task", "")
        if bool(command) == bool(task):
            raise ImproperlyConfigured(f"计划任务 {name}：command 和 task 须且只须给出一个。")
        try:
            at = tuple(dt.time.fromisoformat(t) for t in spec.get("at", ()))
        except ValueError:
            raise ImproperlyConfigured(f"计划任务 {name}：at 的时刻应写作 HH:MM。") from None
        every = int(spec.get("every", 0))
        if bool(at) == bool(every > 0):
            raise ImproperlyConfigured(f"计划任务 {name}：at 和 every 须且只须给出一个。")
        out.append(Entry(name, command, task, at, every, bool(spec.get("workdays", False))))
    return out


def current_slot(entry: Entry, now: dt.datetime) -> str | None:
    """The slot that is due at ``now``: the latest scheduled moment not after it."""
    if entry.every:
        bucket = int(now.timestamp()) // entry.every * entry.every
        return dt.datetime.fromtimestamp(bucket, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    local = timezone.localtime(now)
    for back in (0, 1):  # today, else yesterday's last one
        day = local.date() - dt.timedelta(days=back)
        if entry.workdays and not is_workday(day):
            continue
        passed = sorted(t for t in entry.at if back or t <= local.time().replace(tzinfo=None))
        if passed:
            return f"{day.isoformat()}T{passed[-1]:%H:%M}"
    return None


def _enqueue(entry: Entry) -> str:
    if entry.command:
        from .tasks import command_run

        return str(command_run.enqueue(entry.command).id)
    return str(import_string(entry.task).enqueue().id)


def tick(now: dt.datetime | None = None, schedule: dict | None = None) -> list[str]:
    """Enqueues every entry whose current slot has not been enqueued yet; recovers stale tasks.
    Returns the "name@slot" enqueued by this call."""
    now = now or timezone.now()
    enqueued = []
    for entry in entries(schedule):
        slot = current_slot(entry, now)
        if slot is None or ScheduledRun.objects.filter(name=entry.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=entry.name, slot=slot)
                run.task_id = _enqueue(entry)
                run.save(update_fields=["task_id"])
        except IntegrityError:  # another scheduler enqueued this slot a moment ago
            continue
        except Exception:  # a broken entry must not stop the others
            logger.exception("计划任务 %s 排队失败", entry.name)
            continue
        enqueued.append(f"{entry.name}@{slot}")
    if enqueued:  # the slot rows are only needed while a second scheduler might still try them
        ScheduledRun.objects.filter(enqueued_at__lt=now - KEEP_RUNS).delete()
    tasks_recover_stale(now)
    return enqueued


def tasks_recover_stale(now: dt.datetime | None = None) -> int:
    """Makes tasks left RUNNING longer than BANHAO_TASK_STALE_SECONDS ready again."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.BANHAO_TASK_STALE_SECONDS)
    count = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).update(status="READY")
    if count:
        logger.warning(
            "%s 个后台任务的工作进程已失联（运行超过%s秒），已重新排队。",
            count,
            settings.BANHAO_TASK_STALE_SECONDS,
        )
    return count
