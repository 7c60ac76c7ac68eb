"""Reads of the licences app for its own pages and API: whose licences an applicant login may
see (their own person's, and their enterprise's while the mandate is live), one licence of
theirs, and a licence's use log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

from banhao.registry import api as registry_api

from .models import ACTIVE_STATUSES, Licence, LicenceUse


@dataclass(frozen=True)
class HolderScope:
    """The holders an applicant login speaks for."""

    person_id: int
    person_name: str
    organization_id: int | None
    organization_name: str

    def q(self) -> Q:
        q = Q(holder_person_id=self.person_id)
        if self.organization_id:
            q |= Q(holder_organization_id=self.organization_id)
        return q


def holder_scope(user) -> HolderScope | None:
    """None for anonymous users, staff and accounts without a registry profile. The enterprise
    is included only while the agent's mandate (经办人授权) is live (registry.api.applicant_identity)."""
    identity = registry_api.applicant_identity(user)
    if identity is None:
        return None
    org = identity.organization
    return HolderScope(
        person_id=identity.person.id,
        person_name=identity.person.name,
        organization_id=org.id if org else None,
        organization_name=org.name if org else "",
    )


def wallet_licences(scope: HolderScope):
    """The scope's licences: those in force (valid, suspended) first, then the rest; newest first."""
    return (
        Licence.objects.select_related("type")
        .filter(scope.q())
        .annotate(
            in_force=Case(
                When(status__in=ACTIVE_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("in_force", "-issued_on", "-id")
    )


def wallet_licence(scope: HolderScope, pk: int) -> Licence | None:
    return Licence.objects.select_related("type").filter(scope.q(), pk=pk).first()


def licence_uses(licence: Licence):
    return LicenceUse.objects.filter(licence=licence).order_by("-at", "-id")


def licences_of_holder(code: str):
    """Every licence whose holder has that code (resident ID or USCC), newest first."""
    return Licence.objects.select_related("type").filter(holder_code=code).order_by("-issued_on", "-id")


def licence_by_identifier(identifier: str) -> Licence | None:
    return Licence.objects.select_related("type").filter(identifier=identifier).first()
