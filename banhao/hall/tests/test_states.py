"""The hall's life cycles as data (hall/states.py): the tables, the refusals, the one writer."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from banhao.hall import services, states
from banhao.hall.models import Appointment, Desk, HallEvent, Ticket
from banhao.hall.tests.factories import AppointmentFactory, TicketFactory
from conftest import parse_source

T, A, D = Ticket.Status, Appointment.Status, Desk.State

# The life cycles written out once more, by hand: a change to states.py must change this too.
TICKET_STEPS = {
    (T.WAITING, "call"): T.SERVING,
    (T.SERVING, "recall"): T.SERVING,
    (T.SERVING, "skip"): T.NO_SHOW,
    (T.SERVING, "transfer"): T.WAITING,
    (T.SERVING, "finish"): T.DONE,
}
APPOINTMENT_STEPS = {
    (A.BOOKED, "reschedule"): A.BOOKED,
    (A.BOOKED, "cancel"): A.CANCELLED,
    (A.BOOKED, "check_in"): A.CHECKED_IN,
    (A.BOOKED, "no_show"): A.NO_SHOW,
}
DESK_STEPS = {(D.OPEN, "pause"): D.PAUSED, (D.PAUSED, "resume"): D.OPEN}

TICKET_ACTIONS = ["call", "recall", "skip", "transfer", "finish"]
APPOINTMENT_ACTIONS = ["reschedule", "cancel", "check_in", "no_show"]


@pytest.mark.parametrize(
    ("cycle", "expected", "actions"),
    [
        (states.TICKET, TICKET_STEPS, TICKET_ACTIONS),
        (states.APPOINTMENT, APPOINTMENT_STEPS, APPOINTMENT_ACTIONS),
        (states.DESK, DESK_STEPS, ["pause", "resume"]),
    ],
    ids=["ticket", "appointment", "desk"],
)
def test_every_state_and_action_is_allowed_or_refused_as_the_table_says(cycle, expected, actions):
    assert cycle.transitions == expected
    for state in cycle.states.values:
        for action in actions:
            if (state, action) in expected:
                assert cycle.target(state, action) == expected[(state, action)]
                assert action in cycle.allowed_actions(state)
            else:
                with pytest.raises(ValidationError) as refused:
                    cycle.target(state, action)
                label = cycle.states(state).label
                assert refused.value.messages == [
                    f"{cycle.noun}当前状态为“{label}”，不能“{cycle.action_labels[action]}”。"
                ]
                assert action not in cycle.allowed_actions(state)


def test_the_refusal_reads_in_chinese():
    with pytest.raises(ValidationError) as refused:
        states.TICKET.target(T.DONE, "call")
    assert refused.value.messages == ["排队号当前状态为“已办结”，不能“呼叫”。"]
    with pytest.raises(ValidationError) as refused:
        states.APPOINTMENT.target(A.CHECKED_IN, "cancel")
    assert refused.value.messages == ["预约当前状态为“已签到”，不能“取消预约”。"]


def _ticket_in(hall, status):
    return {
        T.WAITING: lambda: TicketFactory(hall),
        T.SERVING: lambda: TicketFactory(hall, called=True),
        T.DONE: lambda: TicketFactory(hall, finished=True),
        T.NO_SHOW: lambda: TicketFactory(hall, skipped=True),
    }[status]()


REFUSED_TICKET_STEPS = [
    (state, action)
    for state in (T.WAITING, T.SERVING, T.DONE, T.NO_SHOW)
    for action in TICKET_ACTIONS
    if (state, action) not in TICKET_STEPS
]


@pytest.mark.parametrize(("state", "action"), REFUSED_TICKET_STEPS)
def test_a_refused_ticket_step_gives_the_chinese_message_and_changes_nothing(hall, state, action):
    ticket = _ticket_in(hall, state)
    assert ticket.status == state
    row = Ticket.objects.filter(pk=ticket.pk).values().get()
    events = HallEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        states.move(ticket, action, updated_at=ticket.updated_at)
    assert refused.value.messages == [
        f"排队号当前状态为“{T(state).label}”，不能“{states.TICKET.action_labels[action]}”。"
    ]
    assert Ticket.objects.filter(pk=ticket.pk).values().get() == row
    assert HallEvent.objects.count() == events


def _appointment_in(hall, status):
    return {
        A.BOOKED: lambda: AppointmentFactory(hall),
        A.CHECKED_IN: lambda: AppointmentFactory(hall, checked_in=True),
        A.CANCELLED: lambda: AppointmentFactory(hall, cancelled=True),
        A.NO_SHOW: lambda: AppointmentFactory(hall, no_show=True),
    }[status]()


@pytest.mark.parametrize("state", [A.CHECKED_IN, A.CANCELLED, A.NO_SHOW])
@pytest.mark.parametrize("action", APPOINTMENT_ACTIONS)
def test_a_refused_appointment_step_gives_the_chinese_message_and_changes_nothing(hall, state, action):
    appt = _appointment_in(hall, state)
    assert appt.status == state
    row = Appointment.objects.filter(pk=appt.pk).values().get()
    events = HallEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        states.move(appt, action)
    assert refused.value.messages == [
        f"预约当前状态为“{A(state).label}”，不能“{states.APPOINTMENT.action_labels[action]}”。"
    ]
    assert Appointment.objects.filter(pk=appt.pk).values().get() == row
    assert HallEvent.objects.count() == events


@pytest.mark.parametrize("state", [A.CHECKED_IN, A.CANCELLED, A.NO_SHOW])
def test_the_services_refuse_to_change_a_booking_that_is_no_longer_booked(hall, state):
    appt = _appointment_in(hall, state)
    user = appt.user
    events = HallEvent.objects.count()
    with pytest.raises(ValidationError, match=f"预约当前状态为“{A(state).label}”，不能“取消预约”"):
        services.appointment_cancel(user=user, appointment=appt)
    with pytest.raises(ValidationError, match=f"预约当前状态为“{A(state).label}”，不能“改约”"):
        services.appointment_reschedule(user=user, appointment=appt, day=appt.day, start=appt.start)
    appt.refresh_from_db()
    assert appt.status == state and HallEvent.objects.count() == events


def test_pausing_twice_or_resuming_an_open_window_is_refused_and_changes_nothing(hall, make_staff):
    w = hall["windows"][1]
    services.desk_sign_in(window_id=w.pk, staff_id=None)
    with pytest.raises(ValidationError, match="窗口当前状态为“叫号中”，不能“恢复叫号”"):
        services.desk_pause(window_id=w.pk, staff_id=None, paused=False)
    services.desk_pause(window_id=w.pk, staff_id=None, paused=True)
    events = HallEvent.objects.count()
    with pytest.raises(ValidationError, match="窗口当前状态为“暂停服务”，不能“暂停服务”"):
        services.desk_pause(window_id=w.pk, staff_id=None, paused=True)
    assert Desk.objects.get(window=w).state == D.PAUSED and HallEvent.objects.count() == events


def test_a_claim_lost_to_another_window_changes_nothing(hall):
    """The conditional UPDATE: a ticket no longer waiting cannot be claimed again."""
    ticket = TicketFactory(hall, called=True)
    assert states.claim(Ticket, ticket.pk, T.WAITING, "call", window_id=hall["windows"][2].pk) == 0
    ticket.refresh_from_db()
    assert ticket.status == T.SERVING and ticket.window_id == hall["windows"][1].pk


def test_move_all_moves_only_the_rows_that_may_take_the_step(hall):
    kept = AppointmentFactory(hall, checked_in=True)
    booked = AppointmentFactory(hall, start="10:00")
    moved = states.move_all(Appointment.objects.all(), "no_show")
    assert moved == [booked.pk]
    assert Appointment.objects.get(pk=kept.pk).status == A.CHECKED_IN
    assert Appointment.objects.get(pk=booked.pk).status == A.NO_SHOW


# --- the one writer ------------------------------------------------------------------------


HALL = Path(__file__).resolve().parents[1]


def status_writes(path: Path) -> list[str]:
    """`x.status = …`, `x.state = …` and `.update(status=…)` / `.update(state=…)` in a module."""
    found = []
    for node in ast.walk(parse_source(path)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for t in targets:
            for leaf in ast.walk(t):
                if isinstance(leaf, ast.Attribute) and leaf.attr in ("status", "state"):
                    found.append(f"{path.name}:{node.lineno} assigns .{leaf.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("update", "bulk_update", "update_or_create"):
                for kw in node.keywords:
                    if kw.arg in ("status", "state"):
                        found.append(f"{path.name}:{node.lineno} updates {kw.arg}")
    return found


def test_no_module_of_the_hall_writes_a_status_but_states_py():
    found = []
    for path in sorted(HALL.glob("*.py")):
        if path.name != "states.py":
            found += status_writes(path)
    assert found == []


def test_the_status_checker_sees_a_write(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("t.status = 'done'\nTicket.objects.filter(pk=1).update(state='paused')\n")
    assert status_writes(bad) == ["bad.py:1 assigns .status", "bad.py:2 updates state"]
