"""The demo's 12345 tickets: each in its state, for the demo's hotline and department accounts;
loading again changes nothing."""

import pytest

from banhao.demo import city, hotline
from banhao.evaluation.models_hotline import HotlineTicket, TicketEvent
from banhao.org.models import StaffMember

pytestmark = pytest.mark.django_db


def test_the_demo_tickets_are_in_their_states_and_a_second_load_adds_nothing():
    city.load()
    assert hotline.load() == len(hotline.TICKETS)
    states = dict(HotlineTicket.objects.values_list("number", "status"))
    assert states == {
        "12345-DEMO-0001": "received",
        "12345-DEMO-0002": "dispatched",
        "12345-DEMO-0003": "signed",
        "12345-DEMO-0004": "answered",
        "12345-DEMO-0005": "closed",
    }
    events = TicketEvent.objects.count()
    assert hotline.load() == 0
    assert TicketEvent.objects.count() == events
    desk = StaffMember.objects.get(user__username="hotline")
    assert desk.role == "hotline" and desk.department_id is None
    assert HotlineTicket.objects.filter(department__name="兰山区行政审批服务局").count() == 4
