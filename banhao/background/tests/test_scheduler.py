"""The scheduler enqueues each due slot once, however many schedulers run; tasks left running
by a killed worker are made ready again."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from banhao.background import scheduler
from banhao.background.models import ScheduledRun

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
SWEEPS = {
    "hall_sweep": {"command": "hall_sweep", "at": ["12:05", "17:05"], "workdays": True},
    "cases_sweep": {"command": "cases_sweep", "at": ["06:30"]},
    "often": {"task": "banhao.notify.tasks.outbox_sweep", "every": 300},
}


def _entry(name):
    return next(e for e in scheduler.entries(SWEEPS) if e.name == name)


def test_the_slot_is_the_latest_scheduled_time_that_has_passed():
    hall = _entry("hall_sweep")
    # Friday 2026-12-04 (a working day)
    assert scheduler.current_slot(hall, dt.datetime(2026, 12, 4, 12, 4, tzinfo=SH)) == "2026-12-03T17:05"
    assert scheduler.current_slot(hall, dt.datetime(2026, 12, 4, 12, 5, tzinfo=SH)) == "2026-12-04T12:05"
    assert scheduler.current_slot(hall, dt.datetime(2026, 12, 4, 23, 0, tzinfo=SH)) == "2026-12-04T17:05"
    # Saturday: no working day today, Friday's last run is the current slot; Sunday: nothing due
    assert scheduler.current_slot(hall, dt.datetime(2026, 12, 5, 18, 0, tzinfo=SH)) == "2026-12-04T17:05"
    assert scheduler.current_slot(hall, dt.datetime(2026, 12, 6, 18, 0, tzinfo=SH)) is None
    often = _entry("often")
    at = dt.datetime(2026, 12, 4, 1, 7, 30, tzinfo=dt.UTC)
    assert scheduler.current_slot(often, at) == "2026-12-04T01:05:00Z"


def test_two_schedulers_enqueue_a_slot_once():
    now = dt.datetime(2026, 12, 4, 12, 6, tzinfo=SH)
    first = scheduler.tick(now, SWEEPS)
    assert sorted(first) == [
        "cases_sweep@2026-12-04T06:30",
        "hall_sweep@2026-12-04T12:05",
        "often@2026-12-04T04:05:00Z",
    ]
    assert scheduler.tick(now, SWEEPS) == []  # the second scheduler, the same moment
    assert scheduler.tick(now + dt.timedelta(minutes=3), SWEEPS) == []  # still the same slots
    assert ScheduledRun.objects.count() == 3 and DBTaskResult.objects.count() == 3
    assert scheduler.tick(now + dt.timedelta(hours=5), SWEEPS) == [
        "hall_sweep@2026-12-04T17:05",
        "often@2026-12-04T09:05:00Z",
    ]


def test_a_slot_taken_by_another_scheduler_between_look_and_insert_is_skipped(monkeypatch):
    now = dt.datetime(2026, 12, 4, 12, 6, tzinfo=SH)
    real_filter = ScheduledRun.objects.filter

    class Blind:  # the look-up misses the row the other scheduler has just committed
        def __init__(self, *a, **k):
            pass

        def exists(self):
            return False

    ScheduledRun.objects.create(name="cases_sweep", slot="2026-12-04T06:30")
    monkeypatch.setattr(ScheduledRun.objects, "filter", lambda *a, **k: Blind())
    enqueued = scheduler.tick(now, {"cases_sweep": SWEEPS["cases_sweep"]})
    monkeypatch.setattr(ScheduledRun.objects, "filter", real_filter)
    assert enqueued == [] and DBTaskResult.objects.count() == 0


def test_a_wrong_schedule_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="command 和 task"):
        scheduler.entries({"x": {"at": ["06:30"]}})
    with pytest.raises(ImproperlyConfigured, match="at 和 every"):
        scheduler.entries({"x": {"command": "cases_sweep"}})
    with pytest.raises(ImproperlyConfigured, match="HH:MM"):
        scheduler.entries({"x": {"command": "cases_sweep", "at": ["6点半"]}})


def test_the_scheduled_sweep_runs_the_command_in_a_worker(run_tasks):
    scheduler.tick(dt.datetime(2026, 12, 4, 7, 0, tzinfo=SH), {"cases_sweep": SWEEPS["cases_sweep"]})
    run_tasks()
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL" and "临期预警 0 件" in task.return_value


def test_run_scheduler_once_enqueues_the_settings_schedule(settings, capsys):
    settings.BANHAO_SCHEDULE = {"often": SWEEPS["often"]}
    call_command("run_scheduler", "--once")
    assert "已排队：often@" in capsys.readouterr().out
    assert DBTaskResult.objects.get().task_path == "banhao.notify.tasks.outbox_sweep"


def test_a_task_left_running_by_a_killed_worker_is_made_ready_again(settings, run_tasks):
    from banhao.notify.tasks import outbox_sweep

    settings.BANHAO_TASK_STALE_SECONDS = 300
    stale, fresh = outbox_sweep.enqueue(), outbox_sweep.enqueue()
    now = dt.datetime.now(dt.UTC)
    # what a SIGKILLed worker leaves: claimed (RUNNING, its id recorded), never finished
    DBTaskResult.objects.filter(pk=stale.id).update(
        status="RUNNING", started_at=now - dt.timedelta(seconds=301), worker_ids=["dead"]
    )
    DBTaskResult.objects.filter(pk=fresh.id).update(
        status="RUNNING", started_at=now - dt.timedelta(seconds=5)
    )
    run_tasks()
    assert DBTaskResult.objects.get(pk=stale.id).status == "RUNNING"  # django-tasks-db alone never retries it
    assert scheduler.tasks_recover_stale() == 1
    run_tasks()
    again = DBTaskResult.objects.get(pk=stale.id)
    assert again.status == "SUCCESSFUL" and again.worker_ids == ["dead", "pytest"]
    assert DBTaskResult.objects.get(pk=fresh.id).status == "RUNNING"  # a live one is left alone


def test_slot_rows_older_than_a_month_are_dropped_when_a_new_slot_is_enqueued():
    old = ScheduledRun.objects.create(name="often", slot="2026-01-01T00:00:00Z")
    ScheduledRun.objects.filter(pk=old.pk).update(enqueued_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    scheduler.tick(dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC), {"often": SWEEPS["often"]})
    assert list(ScheduledRun.objects.values_list("slot", flat=True)) == ["2026-12-04T01:00:00Z"]
