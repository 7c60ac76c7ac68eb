"""Scheduled work of the 红蓝榜: the daily sweep of the blue list's rectification tasks."""

from django_tasks import task


@task()
def board_rectification_sweep() -> dict:
    from .boards import board_rectification_sweep as sweep

    return sweep()
