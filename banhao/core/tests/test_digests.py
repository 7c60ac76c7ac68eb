"""Keyed digests of identifiers: the same number matches, a number sharing its mask does not."""

from django.test import override_settings

from banhao.core.digests import keyed_digest, resident_id_digest
from banhao.core.masking import mask_resident_id

A, B = "371302198005051115", "371311196807071115"


def test_numbers_sharing_a_mask_have_different_digests():
    assert mask_resident_id(A) == mask_resident_id(B)
    assert resident_id_digest(A) != resident_id_digest(B)
    assert resident_id_digest(A) == resident_id_digest(A)
    assert resident_id_digest("") == ""


def test_the_digest_depends_on_the_server_key_and_the_purpose():
    plain = resident_id_digest(A)
    with override_settings(SECRET_KEY="another-key-for-this-test-only-0123456789"):
        assert resident_id_digest(A) != plain
    assert keyed_digest(A, purpose="something.else") != plain
