"""The life cycles of the hall, as data: (status, action) -> new status.

Ticket:       waiting --call--> serving --recall--> serving
              serving --skip--> no_show (过号: a missed number needs a new ticket)
              serving --transfer--> waiting (another zone or window; it keeps its place)
              serving --finish--> done
Appointment:  booked --reschedule--> booked
              booked --cancel | check_in | no_show--> cancelled | checked_in | no_show
Desk:         open --pause--> paused --resume--> open

Every status change of a Ticket, an Appointment or a Desk goes through `move` / `move_all`
below and nowhere else (hall.services calls them). The change is an
``UPDATE … WHERE pk=… AND status=<the status the caller saw>`` whose row count is checked, so
two windows racing for one ticket cannot both win; a refused step raises a ValidationError in
Chinese naming the state and the action, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

from .models import Appointment, Desk, Ticket

T, A, D = Ticket.Status, Appointment.Status, Desk.State


@dataclass(frozen=True)
class LifeCycle:
    noun: str  # 排队号, 预约, 窗口 — named in refusals
    model: type[models.Model]
    field: str  # the status column
    states: type[models.TextChoices]
    transitions: dict[tuple[str, str], str]
    action_labels: dict[str, str]

    def target(self, current: str, action: str) -> str:
        """The status after ``action``; a ValidationError in Chinese when it is not allowed."""
        target = self.transitions.get((current, action))
        if target is None:
            raise self.refusal(current, action)
        return target

    def refusal(self, current: str, action: str) -> ValidationError:
        try:
            state = self.states(current).label
        except ValueError:
            state = current
        return ValidationError(
            "%(noun)s当前状态为“%(state)s”，不能“%(action)s”。",
            code="transition",
            params={"noun": self.noun, "state": state, "action": self.action_labels.get(action, action)},
        )

    def allowed_actions(self, current: str) -> list[str]:
        return [action for (state, action) in self.transitions if state == current]

    def sources(self, action: str) -> list[str]:
        return [state for (state, a) in self.transitions if a == action]


TICKET = LifeCycle(
    noun="排队号",
    model=Ticket,
    field="status",
    states=T,
    transitions={
        (T.WAITING, "call"): T.SERVING,
        (T.SERVING, "recall"): T.SERVING,
        (T.SERVING, "skip"): T.NO_SHOW,
        (T.SERVING, "transfer"): T.WAITING,
        (T.SERVING, "finish"): T.DONE,
    },
    action_labels={"call": "呼叫", "recall": "重呼", "skip": "过号", "transfer": "转移", "finish": "办结"},
)

APPOINTMENT = LifeCycle(
    noun="预约",
    model=Appointment,
    field="status",
    states=A,
    transitions={
        (A.BOOKED, "reschedule"): A.BOOKED,
        (A.BOOKED, "cancel"): A.CANCELLED,
        (A.BOOKED, "check_in"): A.CHECKED_IN,
        (A.BOOKED, "no_show"): A.NO_SHOW,
    },
    action_labels={"reschedule": "改约", "cancel": "取消预约", "check_in": "签到", "no_show": "记为爽约"},
)

DESK = LifeCycle(
    noun="窗口",
    model=Desk,
    field="state",
    states=D,
    transitions={(D.OPEN, "pause"): D.PAUSED, (D.PAUSED, "resume"): D.OPEN},
    action_labels={"pause": "暂停服务", "resume": "恢复叫号"},
)

LIFE_CYCLES = {Ticket: TICKET, Appointment: APPOINTMENT, Desk: DESK}


def claim(model: type[models.Model], pk, current: str, action: str, **fields) -> int:
    """The conditional UPDATE: moves row ``pk`` from ``current`` by ``action`` and sets
    ``fields`` with it. Returns the row count: 0 when the row was no longer ``current`` (another
    window won the race), which the caller may retry. Refuses a step the table does not allow."""
    cycle = LIFE_CYCLES[model]
    target = cycle.target(current, action)
    return model.objects.filter(pk=pk, **{cycle.field: current}).update(**{cycle.field: target}, **fields)


def move(obj: models.Model, action: str, **fields):
    """Moves ``obj`` (as read, ideally under a row lock) by ``action``, sets ``fields`` and
    reloads it. Raises the Chinese refusal, changing nothing, when the table forbids the step
    or the row has moved meanwhile."""
    cycle = LIFE_CYCLES[type(obj)]
    current = getattr(obj, cycle.field)
    if not claim(type(obj), obj.pk, current, action, **fields):
        now_status = type(obj).objects.filter(pk=obj.pk).values_list(cycle.field, flat=True).first()
        raise cycle.refusal(now_status or current, action)
    obj.refresh_from_db()
    return obj


def move_all(qs: models.QuerySet, action: str, **fields) -> list[int]:
    """Moves every row of ``qs`` that may take ``action`` (the others are left alone) and
    returns their ids, read under a row lock so that the events written for them are exact."""
    cycle = LIFE_CYCLES[qs.model]
    moved: list[int] = []
    for source in cycle.sources(action):
        target = cycle.target(source, action)
        ids = list(qs.select_for_update().filter(**{cycle.field: source}).values_list("pk", flat=True))
        if ids:
            qs.model.objects.filter(pk__in=ids, **{cycle.field: source}).update(
                **{cycle.field: target}, **fields
            )
            moved += ids
    return moved
