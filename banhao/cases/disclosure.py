"""Showing a masked identifier in full (查看完整证件号码).

Staff pages and the API show the applicant's resident ID masked. A clerk with a need (matching
a paper file, a call to the public-security check) asks for the full number with an explicit
POST; each request writes one audit row (who, which case, why, from which address) before the
number is shown, once, on that response. See docs/decisions/0015-masked-identifiers.md.
"""

from __future__ import annotations

from django.db import transaction

from banhao.core.audit import audit_record

from .models import Case

REVEAL_ACTION = "cases.reveal_identifier"


@transaction.atomic
def case_identifier_reveal(*, case: Case, actor, reason: str = "") -> str:
    """Records that ``actor`` saw the applicant's full resident ID and returns it. The caller
    has already checked that the case is within the actor's scope (cases.view)."""
    reason = " ".join((reason or "").split())[:200]
    audit_record(
        actor=actor,
        obj=case,
        action=REVEAL_ACTION,
        after={"shown": "person.resident_id", "person_id": case.person_id},
        reason=reason,
    )
    return case.person.resident_id
