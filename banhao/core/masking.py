"""Masking of personal identifiers for screens and logs.

A resident ID shows its first 4 and last 4 characters (3713**********123X): enough for
a clerk to match a card in hand, not enough to be reused. Mobile numbers keep 3 + 4.
"""

import re

# 18-character resident IDs (17 digits + digit/X) and 11-digit mainland mobile numbers,
# not embedded in longer digit runs.
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
# A mobile may follow the country code (+86 / 86 / 0086) directly.
_MOBILE = re.compile(r"(?:(?<!\d)|(?<=\+86)|(?<=\b86)|(?<=0086))(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_resident_id(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(text: str) -> str:
    """Masks every resident ID and mobile number found inside free text."""
    text = _RESIDENT_ID.sub(lambda m: m.group(1) + "*" * 10 + m.group(2).upper(), text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def mask_identifiers(value) -> str:
    """mask_text for anything a template or an API shows: None gives ""."""
    if value is None:
        return ""
    return mask_text(str(value))


# Form field types (catalog codes.FIELD_TYPES) whose whole value is an identifier.
_FIELD_MASKS = {"resident_id": mask_resident_id, "phone": mask_phone}


def mask_field_value(value: str, field_type: str = "") -> str:
    """A form answer as staff screens show it: an ID or phone field is masked whole; any other
    answer has the ID- and mobile-shaped parts of its text masked (a 联系人 field may hold one)."""
    masker = _FIELD_MASKS.get(field_type)
    if masker is not None:
        return masker(value)
    return mask_identifiers(value)
