"""Fixtures shared by every test."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test sees the calendar of its own database state, never a table left by another."""
    from banhao.core import calendar

    calendar.reset_cache()
    yield
    calendar.reset_cache()
