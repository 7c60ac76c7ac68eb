"""Background tasks of notify: they call services, nothing more (and may run twice)."""

from django_tasks import task

from . import services


@task()
def message_deliver(dedupe_key: str) -> str:
    """One delivery attempt of the outbox message with this key."""
    return services.message_deliver(dedupe_key=dedupe_key)


@task()
def outbox_sweep() -> int:
    """Re-enqueues messages whose delivery task was lost (scheduled every few minutes)."""
    return services.outbox_sweep()
