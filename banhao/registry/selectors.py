"""Reads of the registry, always through a staff scope."""

from django.db.models import Q, QuerySet

from banhao.core.identifiers import clean_code
from banhao.org.api import Scope

from .models import Organization, Person


def persons_visible(scope: Scope, q: str = "") -> QuerySet[Person]:
    qs = scope.filter(Person.objects.select_related("region"))
    q = (q or "").strip()
    if q:
        cleaned = clean_code(q)
        if len(cleaned) == 18:  # a full ID number matches exactly; partial numbers do not search
            qs = qs.filter(resident_id=cleaned)
        else:
            qs = qs.filter(Q(name__contains=q) | Q(phone=q))
    return qs.order_by("name", "id")


def organizations_visible(scope: Scope, q: str = "") -> QuerySet[Organization]:
    qs = scope.filter(Organization.objects.select_related("region"))
    q = (q or "").strip()
    if q:
        cleaned = clean_code(q)
        qs = qs.filter(Q(name__contains=q) | Q(credit_code=cleaned) | Q(legal_representative=q))
    return qs.order_by("name", "id")
