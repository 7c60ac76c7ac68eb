"""Keyed digests of personal identifiers.

Where two records must be matched on a person's number without storing the number (a ticket
taken twice, a collector at the pickup window), the platform keeps an HMAC-SHA256 of the
normalised number under the server's key: the same number gives the same digest, a different
number a different one (a mask such as 3713**********1115 is shared by many people), and the
stored digest cannot be reversed by trying every possible number without the key.
"""

from django.utils.crypto import salted_hmac

# The key salt of resident-ID digests. It is the one the pickup handover has stored since it was
# built, so the digests already recorded there keep matching.
RESIDENT_ID_PURPOSE = "banhao.hall.handover.id"


def keyed_digest(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 (hex, 64 characters) of value under SECRET_KEY, separated by purpose."""
    return salted_hmac(purpose, value, algorithm="sha256").hexdigest()


def resident_id_digest(resident_id: str) -> str:
    """The keyed digest of a normalised resident ID ("" for none)."""
    if not resident_id:
        return ""
    return keyed_digest(resident_id, purpose=RESIDENT_ID_PURPOSE)
