"""Real-name verification (实名核验) of an online registration, through a pluggable backend.

Knowing a person's name and resident ID is not proof of being that person (both are printed
on many documents). A registration claims a person with a phone whose SMS code it holds;
``BANHAO_IDENTITY_BACKEND`` decides whether that phone may speak for that person.

A backend is any class with ``verify(claim) -> IdentityVerdict``. Two ship here:

- ``RegistryBackend`` (the default): the base information registry decides when it can. A
  registry person with a phone is confirmed only when the registering phone is that phone.
  A registry person without a phone, a different phone, and a person the registry does not
  know are refused, unless the verification service (``BANHAO_IDENTITY_SERVICE``: a class
  with ``confirms(claim) -> bool``, such as the province's 实名认证 platform or a carrier's
  name + ID + phone check) says yes. Without a service they register at a hall window.
- ``DevelopmentBackend`` (demo and tests): the registry rules, and a new person (one the
  registry does not know, so nobody to impersonate) is confirmed without a service.
  Production refuses it.

See docs/decisions/0010-identity-verification.md.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

import banhao.registry.api as registry_api

REFUSED = (
    "实名核验未通过：填写的姓名、身份号码与本手机号码不能对应到同一人。"
    "请使用在政务服务机构登记的本人手机号码注册；号码已更换的，请携带身份证件到政务服务大厅办理。"
)


@dataclass(frozen=True)
class IdentityClaim:
    """Who a registration says it is (identifiers already validated and normalised)."""

    name: str
    resident_id: str
    phone: str


@dataclass(frozen=True)
class IdentityVerdict:
    ok: bool
    reason: str  # for the audit trail: registry_phone_match, registry_phone_mismatch, …
    message: str = ""  # what the applicant is told when refused (Chinese)


class RegistryBackend:
    """The registry's phone must match; otherwise the verification service decides."""

    def service(self):
        path = getattr(settings, "BANHAO_IDENTITY_SERVICE", "")
        return import_string(path)() if path else None

    def unknown_person_confirmed(self, claim: IdentityClaim) -> bool:
        """Whether a person the registry does not know is confirmed without a service."""
        return False

    def verify(self, claim: IdentityClaim) -> IdentityVerdict:
        person = registry_api.person_by_resident_id(claim.resident_id)
        if person is not None and person.phone and person.phone == claim.phone:
            return IdentityVerdict(True, "registry_phone_match")
        if person is None:
            reason = "not_in_registry"
            if self.unknown_person_confirmed(claim):
                return IdentityVerdict(True, "new_person_development")
        else:
            reason = "registry_phone_mismatch" if person.phone else "registry_without_phone"
        service = self.service()
        if service is not None:
            if service.confirms(claim):
                return IdentityVerdict(True, f"{reason}+service_confirmed")
            reason += "+service_refused"
        return IdentityVerdict(False, reason, REFUSED)


class DevelopmentBackend(RegistryBackend):
    """For the demo and the tests: a new person is confirmed; a registry person is not
    unless the registry's phone matches (or a configured service says yes)."""

    def unknown_person_confirmed(self, claim: IdentityClaim) -> bool:
        return True


@functools.cache
def _backend(path: str):
    return import_string(path)()


def identity_verify(claim: IdentityClaim) -> IdentityVerdict:
    """The configured backend's verdict on a claim (the backend is loaded once per path)."""
    return _backend(settings.BANHAO_IDENTITY_BACKEND).verify(claim)
