import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

import banhao.registry.api as registry_api


def canonical_login_name(typed: str) -> str:
    """The typed login name in the form it is looked up and counted under: compatibility forms
    folded (NFKC), trimmed, lower case; a mobile number as its 11 ASCII digits."""
    name = unicodedata.normalize("NFKC", typed or "").strip()
    try:
        phone = registry_api.normalize_mobile(name)
    except ValidationError:
        phone = ""
    return phone or name.lower()[:150]


def account_for_login_name(typed: str):
    """The account a login name names: the account name, or an applicant's mobile (None if none)."""
    name = canonical_login_name(typed)
    if not name:
        return None
    model = get_user_model()
    user = model.objects.filter(username__iexact=name).first()
    if user is None and name.isascii() and name.isdigit():
        user = model.objects.filter(phone=name, kind=model.Kind.APPLICANT).first()
    return user


def login_names_of(user) -> set[str]:
    """Every name that signs this account in (its account name; an applicant's mobile too)."""
    names = {canonical_login_name(user.username)}
    if user.is_applicant and user.phone:
        names.add(user.phone)
    return names


class UsernameOrPhoneBackend(ModelBackend):
    """Accepts the account name, or for applicants the registered mobile number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = account_for_login_name(username)
        if user is None:
            get_user_model()().set_password(password)  # same work either way: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
