"""The rating pad bound to each window (evaluation reads the hall's facts through hall.api).

The device addresses are the ones the tablets already use: /hall/desk/pad/<window>/?key=…,
/hall/desk/pad/<window>/rate/ and the managers' list at /hall/desk/pads/.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from banhao.evaluation import services
from banhao.evaluation.models import Rating
from banhao.evaluation.views import pad_key
from banhao.hall import services as hall_services
from banhao.hall.models import Ticket
from banhao.hall.tests.factories import TicketFactory
from conftest import PASSWORD, parse_source


@pytest.fixture
def clerk(client, make_staff, hall):
    user = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][1])
    client.login(username=user.username, password=PASSWORD)
    return user


def press(client, action, **data):
    return client.post(reverse("hall:desk_act"), {"action": action, **data})


def pad_url(window, key=None):
    return reverse("evaluation:pad", args=[window.pk]) + "?key=" + (key or pad_key(window.pk))


def test_the_device_addresses_are_unchanged(hall):
    w = hall["windows"][1]
    assert reverse("evaluation:pad", args=[w.pk]) == f"/hall/desk/pad/{w.pk}/"
    assert reverse("evaluation:pad_rate", args=[w.pk]) == f"/hall/desk/pad/{w.pk}/rate/"
    assert reverse("evaluation:pads") == "/hall/desk/pads/"


def test_the_pad_needs_its_window_key(client, hall):
    w1, w2 = hall["windows"][1], hall["windows"][2]
    assert client.get(pad_url(w1)).status_code == 200
    assert client.get(pad_url(w1, key=pad_key(w2.pk))).status_code == 403
    assert client.get(reverse("evaluation:pad", args=[w1.pk]) + "?key=forged").status_code == 403


def test_keys_handed_out_before_the_move_still_bind_the_pad(client, hall):
    """The salt is the one the hall used: tablets bound before the pad moved keep working."""
    from django.core import signing

    w1 = hall["windows"][1]
    old_key = signing.dumps({"w": w1.pk}, salt="banhao.hall.pad")
    assert client.get(pad_url(w1, key=old_key)).status_code == 200


def test_finishing_a_service_asks_the_pad_and_the_rating_lands_on_window_and_clerk(client, clerk, hall):
    w1 = hall["windows"][1]
    TicketFactory(hall)
    press(client, "call")
    assert "请对本次服务作出评价" not in client.get(pad_url(w1)).content.decode()
    press(client, "finish")
    page = client.get(pad_url(w1)).content.decode()
    assert "请对本次服务作出评价" in page and "非常满意" in page and "非常不满意" in page
    assert "A001号" in page and clerk.staff.name in page
    t = Ticket.objects.get()
    r = client.post(
        reverse("evaluation:pad_rate", args=[w1.pk]),
        {"key": pad_key(w1.pk), "ticket": t.pk, "level": "4"},
    )
    assert "感谢您的评价：满意" in r.content.decode()
    rating = Rating.objects.get()
    assert (rating.level, rating.window_id, rating.clerk_id, rating.ticket_id, rating.hall_id) == (
        4,
        w1.pk,
        clerk.staff.pk,
        t.pk,
        hall["hall"].pk,
    )
    assert rating.channel == "hall_pad"
    # the pad is idle again once rated
    assert "请对本次服务作出评价" not in client.get(pad_url(w1)).content.decode()
    # one rating per visit: a second tap changes nothing
    again = client.post(
        reverse("evaluation:pad_rate", args=[w1.pk]),
        {"key": pad_key(w1.pk), "ticket": t.pk, "level": "1"},
    )
    assert "已评价或评价已超时" in again.content.decode()
    assert Rating.objects.get().level == 4


def test_the_rating_carries_the_cases_of_the_visit(hall, make_case):
    w1 = hall["windows"][1]
    t = TicketFactory(hall, called=True, window=1)
    case = make_case()
    hall_services.ticket_link_case(ticket_id=t.pk, case_id=case.pk)
    hall_services.ticket_finish(window_id=w1.pk, staff_id=None)
    info = services.pad_rate(window_id=w1.pk, ticket_id=t.pk, level=5)
    assert info.case_ids == (case.pk,)
    assert list(Rating.objects.get().cases.values_list("pk", flat=True)) == [case.pk]


def test_an_unrated_visit_times_out_and_records_nothing(hall):
    w1 = hall["windows"][1]
    t0 = timezone.localtime()
    TicketFactory(hall, finished=True, window=1, now=t0)
    pending = services.pad_pending(w1.pk, now=t0 + dt.timedelta(seconds=60))
    assert pending is not None and pending.number == "A001"
    assert services.pad_seconds_left(pending, now=t0 + dt.timedelta(seconds=60)) == 60
    assert services.pad_pending(w1.pk, now=t0 + dt.timedelta(seconds=121)) is None
    with pytest.raises(ValidationError, match="超时"):
        services.pad_rate(
            window_id=w1.pk, ticket_id=Ticket.objects.get().pk, level=5, now=t0 + dt.timedelta(seconds=130)
        )
    assert Rating.objects.count() == 0


def test_the_pad_rates_only_the_visit_its_window_finished_last(hall):
    w1, w2 = hall["windows"][1], hall["windows"][2]
    first = TicketFactory(hall, finished=True, window=1)
    second = TicketFactory(hall, finished=True, window=1)
    with pytest.raises(ValidationError, match="已评价或评价已超时"):
        services.pad_rate(window_id=w1.pk, ticket_id=first.pk, level=5)  # an earlier visit
    with pytest.raises(ValidationError, match="已评价或评价已超时"):
        services.pad_rate(window_id=w2.pk, ticket_id=second.pk, level=5)  # another window's pad
    assert Rating.objects.count() == 0
    services.pad_rate(window_id=w1.pk, ticket_id=second.pk, level=5)
    assert Rating.objects.get().ticket_id == second.pk


def test_a_bad_level_is_refused(client, clerk, hall):
    w1 = hall["windows"][1]
    TicketFactory(hall)
    press(client, "call")
    press(client, "finish")
    t = Ticket.objects.get()
    r = client.post(
        reverse("evaluation:pad_rate", args=[w1.pk]),
        {"key": pad_key(w1.pk), "ticket": t.pk, "level": "9"},
    )
    assert "请选择满意程度" in r.content.decode()
    assert Rating.objects.count() == 0


def test_managers_see_the_pad_addresses_of_their_halls(client, make_staff, hall):
    manager = make_staff("hall_manager", region="lanshan", hall=hall["hall"])
    client.login(username=manager.username, password=PASSWORD)
    page = client.get(reverse("evaluation:pads")).content.decode()
    assert pad_key(hall["windows"][9].pk) in page
    assert f"/hall/desk/pad/{hall['windows'][9].pk}/?key=" in page


def test_clerks_do_not_see_the_pad_addresses(client, clerk):
    assert client.get(reverse("evaluation:pads")).status_code == 403


def test_hall_imports_nothing_from_evaluation():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "hall"
    found = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(parse_source(path)):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.startswith("banhao.evaluation")]
    assert found == []
