"""Generic tasks: running a management command, so a scheduled sweep is exactly the command an
operator would type (one code path; its output is the task's return value)."""

import io

from django.core.management import call_command
from django_tasks import task


@task()
def command_run(name: str) -> str:
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue()[-2000:]
