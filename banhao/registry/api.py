"""What other apps may use of the registry: an applicant's profile, identifiers masked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from . import services
from .models import ApplicantAccount, Mandate


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
    """The applicant behind a login (None for staff, anonymous users and accounts without a profile).

    The organisation is the one the account was opened for, whether or not the agent's mandate
    is still live: use ``acting_for`` wherever the applicant acts for the organisation.
    """
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


def acting_for(user, on: dt.date | None = None) -> ApplicantInfo | None:
    """Who the applicant acts for: their organisation only while their mandate (经办人授权) is live.

    An enterprise account whose mandate has expired or been revoked acts as the person alone
    (``organization`` is None) until the organisation grants a new mandate.
    """
    info = applicant_for_user(user)
    if info is None or info.organization is None:
        return info
    account = ApplicantAccount.objects.only("person_id", "organization_id").get(user=user)
    if services.mandate_active(account.organization_id, account.person_id, on):
        return info
    return ApplicantInfo(person=info.person, organization=None)


# --- the applicant's own account pages (accounts app) ------------------------------------

normalize_mobile = services.normalize_mobile


@dataclass(frozen=True)
class MandateInfo:
    organization_name: str
    credit_code: str
    granted_by: str
    scope: str
    valid_from: dt.date
    valid_until: dt.date | None
    active: bool


@dataclass(frozen=True)
class ProfileInfo:
    """What the applicant sees of their registry record: identifiers masked, address in full."""

    name: str
    masked_id: str
    masked_phone: str
    gender: str
    birth_date: dt.date
    address: str
    organization: OrganizationInfo | None
    mandate: MandateInfo | None


def applicant_profile(user) -> ProfileInfo | None:
    """The registry's record of the applicant behind a login, for prefilling and the profile page."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != "applicant":
        return None
    account = ApplicantAccount.objects.filter(user=user).select_related("person", "organization").first()
    if account is None:
        return None
    p, o = account.person, account.organization
    mandate = None
    if o is not None:
        m = (
            Mandate.objects.filter(organization=o, agent=p)
            .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-id")
            .first()
        )
        if m is not None:
            mandate = MandateInfo(
                o.name,
                o.credit_code,
                m.granted_by,
                m.scope,
                m.valid_from,
                m.valid_until,
                m.is_active(timezone.localdate()),
            )
    return ProfileInfo(
        name=p.name,
        masked_id=p.masked_id,
        masked_phone=p.masked_phone,
        gender=p.get_gender_display(),
        birth_date=p.birth_date,
        address=p.address,
        organization=OrganizationInfo(o.name, o.credit_code) if o else None,
        mandate=mandate,
    )


def applicant_register(*, name: str, resident_id: str, phone: str, password: str):
    """Opens a personal account for a verified phone; returns the new login (ValidationError in Chinese)."""
    account = services.applicant_self_register(
        name=name, resident_id=resident_id, phone=phone, password=password
    )
    return account.user


def applicant_update_contact(user, *, address: str | None = None, phone: str | None = None) -> None:
    """The applicant's own change of address (and of mobile, once the caller verified it)."""
    account = ApplicantAccount.objects.get(user=user)
    services.applicant_contact_update(actor=user, account=account, address=address, phone=phone)


# --- the applicant's full identity, for prefilling and re-checking application forms --------


@dataclass(frozen=True)
class PersonIdentity:
    id: int
    name: str
    resident_id: str
    phone: str
    address: str


@dataclass(frozen=True)
class OrganizationIdentity:
    id: int
    name: str
    credit_code: str
    legal_representative: str
    address: str


@dataclass(frozen=True)
class ApplicantIdentity:
    """Who an applicant account is, unmasked: only for the applicant's own forms, never for display
    to anyone else."""

    person: PersonIdentity
    organization: OrganizationIdentity | None

    def value(self, source: str) -> str | None:
        """The registry value a form field's prefill source names ("person.name", "org.address" …);
        None when the source does not apply (an org.* source on a personal account, or "")."""
        owner, _, attribute = (source or "").partition(".")
        target = {"person": self.person, "org": self.organization}.get(owner)
        if target is None or attribute not in {f for f in target.__dataclass_fields__ if f != "id"}:
            return None
        return getattr(target, attribute)


def applicant_identity(user) -> ApplicantIdentity | None:
    """The registry record behind an applicant login, read fresh (None for staff and the rest).

    The organisation is included only while the agent's mandate is active.
    """
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != "applicant":
        return None
    account = ApplicantAccount.objects.filter(user=user).select_related("person", "organization").first()
    if account is None:
        return None
    p, o = account.person, account.organization
    if o is not None and not services.mandate_active(o.pk, p.pk):
        # Without a live mandate (经办人授权) the agent applies as a person only.
        o = None
    return ApplicantIdentity(
        person=PersonIdentity(p.pk, p.name, p.resident_id, p.phone, p.address),
        organization=OrganizationIdentity(o.pk, o.name, o.credit_code, o.legal_representative, o.address)
        if o
        else None,
    )


def person_by_resident_id(resident_id: str) -> PersonIdentity | None:
    """The registry's person with that (already validated, normalised) ID number, or None."""
    from .models import Person

    p = Person.objects.filter(resident_id=resident_id).first()
    return PersonIdentity(p.pk, p.name, p.resident_id, p.phone, p.address) if p else None


def person_note_identity_check(*, resident_id: str, actor: str, action: str, details: dict) -> bool:
    """Writes an identity-check event (a refused or service-confirmed online registration) into
    the history of the registry's person with that ID; False when the registry has no such person.
    ``details`` must already be masked."""
    from banhao.core.audit import audit_record

    from .models import Person

    p = Person.objects.filter(resident_id=resident_id).first()
    if p is None:
        return False
    audit_record(actor=actor, obj=p, action=action, after=details, reason=details.get("reason", ""))
    return True


def person_by_id(person_id: int) -> PersonIdentity | None:
    from .models import Person

    p = Person.objects.filter(pk=person_id).first()
    return PersonIdentity(p.pk, p.name, p.resident_id, p.phone, p.address) if p else None


def organization_by_credit_code(code: str) -> OrganizationIdentity | None:
    from .models import Organization

    o = Organization.objects.filter(credit_code=code).first()
    return OrganizationIdentity(o.pk, o.name, o.credit_code, o.legal_representative, o.address) if o else None


def person_ensure_at_window(*, actor, name: str, resident_id: str, phone: str = "") -> PersonIdentity:
    """The person with that ID, registered on the spot by a window clerk when not yet known
    (the clerk has checked the ID card; anyone may be served at any window, so no region scope
    applies). Raises ValidationError with a Chinese message."""
    found = person_by_resident_id(resident_id)
    if found is not None:
        return found
    p = services.person_register(actor=actor, name=name, resident_id=resident_id, phone=phone)
    return PersonIdentity(p.pk, p.name, p.resident_id, p.phone, p.address)


def organization_by_id(organization_id: int) -> OrganizationIdentity | None:
    from .models import Organization

    o = Organization.objects.filter(pk=organization_id).first()
    return OrganizationIdentity(o.pk, o.name, o.credit_code, o.legal_representative, o.address) if o else None


def organization_phone(organization_id: int) -> str:
    from .models import Organization

    return Organization.objects.filter(pk=organization_id).values_list("phone", flat=True).first() or ""


def account_user_ids(*, person_id: int | None = None, organization_id: int | None = None) -> list[int]:
    """The logins that hold a person's own account (person) or act for an organisation (organisation)."""
    if organization_id is not None:
        qs = ApplicantAccount.objects.filter(organization_id=organization_id)
    elif person_id is not None:
        qs = ApplicantAccount.objects.filter(person_id=person_id, organization__isnull=True)
    else:
        return []
    return list(qs.values_list("user_id", flat=True))


def organization_register_new(
    *,
    actor,
    name: str,
    legal_representative: str,
    division_code: str,
    address: str = "",
    individual: bool = False,
) -> OrganizationIdentity:
    """Registers an organisation that a registration decision (设立登记) has just created, with a new
    credit code assigned in the division (the registration authority's role): 91… for an enterprise,
    92… for an individual business (个体工商户)."""
    from banhao.core.identifiers import make_org_code, make_uscc

    from .models import Organization

    org_type = "2" if individual else "1"
    taken = set(
        Organization.objects.filter(credit_code__startswith=f"9{org_type}{division_code}").values_list(
            "credit_code", flat=True
        )
    )
    n = len(taken) + 1
    while True:
        code = make_uscc("9", org_type, division_code, make_org_code(f"MA{n:06d}"))
        if code not in taken:
            break
        n += 1
    o = services.organization_register(
        actor=actor,
        name=name,
        credit_code=code,
        legal_representative=legal_representative,
        kind=Organization.Kind.UNINCORPORATED if individual else Organization.Kind.ENTERPRISE,
        address=address,
    )
    return OrganizationIdentity(o.pk, o.name, o.credit_code, o.legal_representative, o.address)
