"""GB/T 36904 e-licence identifiers: shape, the credit codes inside and the MOD 37,36 check."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from banhao.core.identifiers import (
    licence_check_character,
    make_licence_identifier,
    normalize_licence_identifier,
)

VALID = [
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
]


def reference_check(text: str) -> str:
    """The domain's description of ISO 7064 MOD 37,36, written out independently."""
    p = 36
    for c in text:
        p = (p + int(c, 36)) % 36 or 36
        p = 2 * p % 37
    return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(37 - p) % 36]


@pytest.mark.parametrize("identifier", VALID)
def test_the_domain_vectors_are_accepted_unchanged(identifier):
    assert normalize_licence_identifier(identifier) == identifier


def test_full_width_lower_case_and_spaces_are_folded_to_the_canonical_form():
    typed = " １.2.156.3005.2.11100000000013338w011.11430000006122244l.20230000403.001.u "
    assert normalize_licence_identifier(typed) == VALID[0]


@pytest.mark.parametrize(
    "identifier",
    [
        VALID[0][:-1] + "V",  # check character changed
        VALID[1][:-1] + "1",
        VALID[0].replace("20230000403", "20230000404"),  # serial changed, check kept
        VALID[0].replace(".001.", ".002."),  # version changed
    ],
)
def test_a_wrong_check_character_is_refused_in_chinese(identifier):
    with pytest.raises(ValidationError) as e:
        normalize_licence_identifier(identifier)
    assert "校验位不正确" in e.value.messages[0]


@pytest.mark.parametrize(
    ("identifier", "words"),
    [
        ("", "请填写"),
        ("1.2.156.3005.1.11100000000013338W011.11430000006122244L.20230000403.001.U", "开头"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.U", "五段"),
        ("1.2.156.3005.2.11100000000013338W01.11430000006122244L.20230000403.001.U", "21位"),
        ("1.2.156.3005.2.11100000000013338X011.11430000006122244L.20230000403.001.U", "定义机构"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244M.20230000403.001.U", "颁证机构"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023-0403.001.U", "顺序号"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U", "版本号"),
    ],
)
def test_a_wrong_shape_or_a_bad_credit_code_inside_is_refused_with_a_reason(identifier, words):
    with pytest.raises(ValidationError) as e:
        normalize_licence_identifier(identifier)
    assert words in e.value.messages[0]


@settings(max_examples=200, deadline=None)
@given(
    serial=st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=20),
    version=st.integers(1, 999),
)
def test_made_identifiers_round_trip_and_agree_with_the_written_out_check(serial, version):
    identifier = make_licence_identifier("11100000000013338W011", "11430000006122244L", serial, version)
    assert normalize_licence_identifier(identifier) == identifier
    body = f"11100000000013338W01111430000006122244L{serial}{version:03d}"
    assert (
        identifier[-1]
        == reference_check(body)
        == licence_check_character("11100000000013338W011", "11430000006122244L", serial, f"{version:03d}")
    )
