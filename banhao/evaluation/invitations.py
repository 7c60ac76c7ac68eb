"""The SMS invitation to rate (短信评价): once a case is delivered or concluded, its contact phone
gets a link with the case's signed one-time token, once per case.

How evaluation learns of deliveries without cases importing evaluation (decisions 0008, 0013):
it reads the case event stream, ``cases.api.case_events_after(cursor)``, from the position it
stored (``EventCursor`` "rating-invite"), every few minutes (BANHAO_SCHEDULE
"evaluation_invite"). Each batch sends its messages through notify's outbox and moves the
cursor in one transaction, so a killed run repeats the batch at most; the outbox's dedupe key
``rating-invite:<case id>`` makes a repeat (or a case both delivered and later concluded) one
SMS. No signal, no call from cases.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from banhao.cases import api as cases_api
from banhao.notify import api as notify

from .models import Rating
from .models_rate import EventCursor
from .ratings import rating_token

CURSOR = "rating-invite"
FINISHED = ("delivered", "concluded")
BATCH = 500


def site_url() -> str:
    """The public address for links sent outside a request (BANHAO_SITE_URL, else the domain)."""
    explicit = getattr(settings, "BANHAO_SITE_URL", "")
    if explicit:
        return explicit.rstrip("/")
    return "https://" + (settings.BANHAO_SITE.get("domain") or "localhost")


def invitation_link(case_id: int) -> str:
    return site_url() + reverse("rating:token", args=[rating_token(case_id, Rating.Channel.SMS)])


def invitation_text(facts: cases_api.CaseRatingFacts) -> str:
    return (
        f"您申请的{facts.item}（办件编号{facts.number}）已办结。欢迎对本次服务作出评价："
        f"{invitation_link(facts.id)} 。您的评价将用于改进政务服务。"
    )


def rating_invite_sweep(*, batch: int = BATCH) -> int:
    """Reads the case events after the stored cursor and sends one rating invitation per case that
    was delivered or concluded, has a contact phone and is not rated yet. Returns how many SMS
    were queued (a repeat of the same case is not counted)."""
    sent = 0
    while True:
        with transaction.atomic():
            cursor, _ = EventCursor.objects.select_for_update().get_or_create(name=CURSOR)
            events = cases_api.case_events_after(cursor.position, limit=batch)
            if not events:
                return sent
            seen: set[int] = set()
            for event in events:
                if event.to_status not in FINISHED or event.case_id in seen:
                    continue
                seen.add(event.case_id)
                sent += _invite(event.case_id)
            cursor.position = events[-1].id
            cursor.save(update_fields=["position", "updated_at"])
        if len(events) < batch:
            return sent


def _invite(case_id: int) -> int:
    facts = cases_api.case_rating_facts(case_id)
    if facts is None or not facts.ratable or not facts.contact_phone:
        return 0
    if Rating.objects.filter(case_id=case_id, current=True).exists():
        return 0
    info = notify.message_send(
        recipient=facts.contact_phone,
        channel=notify.SMS,
        text=invitation_text(facts),
        dedupe_key=f"rating-invite:{case_id}",
    )
    return 1 if info.created else 0
