"""The demonstration simulator drives the real services."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from banhao.hall.models import HallEvent, Ticket


def test_the_simulator_issues_and_calls_tickets_through_the_services(hall):
    out = StringIO()
    call_command("hall_simulate", hall=hall["hall"].pk, interval=0, minutes=0.01, seed=7, stdout=out)
    assert Ticket.objects.filter(hall=hall["hall"]).exists()
    assert HallEvent.objects.filter(action="call").exists()
    assert "模拟结束" in out.getvalue()


def test_the_simulator_needs_a_hall(db):
    with pytest.raises(CommandError, match="load_demo"):
        call_command("hall_simulate", minutes=0.001, stdout=StringIO())
