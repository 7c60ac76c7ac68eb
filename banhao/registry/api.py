"""What other apps may use of the registry: an applicant's profile, identifiers masked."""

from __future__ import annotations

from dataclasses import dataclass

from .models import ApplicantAccount


@dataclass(frozen=True)
class PersonInfo:
    name: str
    masked_id: str
    masked_phone: str


@dataclass(frozen=True)
class OrganizationInfo:
    name: str
    credit_code: str


@dataclass(frozen=True)
class ApplicantInfo:
    person: PersonInfo
    organization: OrganizationInfo | None


def applicant_for_user(user) -> ApplicantInfo | None:
    """The applicant behind a login (None for staff, anonymous users and accounts without a profile)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != "applicant":
        return None
    account = ApplicantAccount.objects.filter(user=user).select_related("person", "organization").first()
    if account is None:
        return None
    p, o = account.person, account.organization
    return ApplicantInfo(
        person=PersonInfo(p.name, p.masked_id, p.masked_phone),
        organization=OrganizationInfo(o.name, o.credit_code) if o else None,
    )
