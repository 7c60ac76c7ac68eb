"""Background tasks of evaluation: they call a service, nothing more (and may run twice)."""

from django_tasks import task

from . import export


@task()
def ratings_push(month: str, fmt: str = "") -> int:
    """Pushes a month's ratings to the provincial platform (export.ratings_push)."""
    return export.ratings_push(month=month, fmt=fmt or None)
