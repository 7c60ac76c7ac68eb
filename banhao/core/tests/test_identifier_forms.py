"""Compatibility forms of identifiers (issue 10, fix 6): full-width digits, spaces and other
spellings fold to the one canonical number, and digits of other scripts are refused, so one
person can never get a second identity by typing their number differently."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from banhao.core.identifiers import (
    make_org_code,
    make_resident_id,
    make_uscc,
    normalize_resident_id,
    normalize_uscc,
)

PROPERTY = settings(deadline=None, max_examples=200)
FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHJKLMNPQRTUWXYabcdefghjklmnpqrtuwxy"}
NUMBER = "371302198005051115"
SPACES = st.sampled_from([" ", "\u3000", "\t", "\u00a0", "\u2002", "-", ""])
# Decimal digits of other scripts (٣ ३ ৩ ๓ ᠓): str.isdigit() and int() accept them, NFKC keeps them.
FOREIGN_DIGITS = st.sampled_from(["\u0663", "\u0969", "\u09e9", "\u0e53", "\u1813"])


def spell(value: str, wide: list[bool], spaces: list[str]) -> str:
    """The value with the chosen characters in full width and the given spaces after them."""
    return "".join(
        (FULL_WIDTH.get(c, c) if w else c) + space for c, w, space in zip(value, wide, spaces, strict=True)
    )


def test_a_full_width_resident_id_is_the_same_number():
    assert normalize_resident_id("３７１３０２１９８００５０５１１１５") == NUMBER
    assert normalize_resident_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


def test_a_full_width_credit_code_folds_to_ascii():
    code = make_uscc("9", "1", "371302", make_org_code("MA3C0001"))
    assert normalize_uscc("".join(FULL_WIDTH.get(c, c) for c in code.lower())) == code


@pytest.mark.parametrize("digit", ["\u0663", "\u0969", "\u0e53"])
def test_digits_of_other_scripts_are_refused_in_chinese(digit):
    with pytest.raises(ValidationError) as excinfo:
        normalize_resident_id(digit + NUMBER[1:])
    assert excinfo.value.code == "format"
    assert "前17位应为数字" in excinfo.value.messages[0]
    code = make_uscc("9", "1", "371302", make_org_code("MA3C0001"))
    with pytest.raises(ValidationError):
        normalize_uscc(code[:3] + digit + code[4:])


@PROPERTY
@given(
    seq=st.integers(min_value=0, max_value=999),
    wide=st.lists(st.booleans(), min_size=18, max_size=18),
    spaces=st.lists(SPACES, min_size=18, max_size=18),
    lower=st.booleans(),
)
def test_any_spelling_of_a_valid_number_normalises_to_the_same_number(seq, wide, spaces, lower):
    number = make_resident_id(f"37130219800505{seq:03d}")
    typed = spell(number.lower() if lower else number, wide, spaces)
    assert normalize_resident_id(typed) == number


@PROPERTY
@given(value=st.text(max_size=30))
def test_whatever_is_accepted_is_canonical_ascii(value):
    """Nothing but 17 ASCII digits and a digit or X ever comes out, whatever goes in."""
    try:
        number = normalize_resident_id(value)
    except ValidationError:
        return
    assert len(number) == 18 and number.isascii() and number[:17].isdigit()
    assert normalize_resident_id(number) == number


@PROPERTY
@given(position=st.integers(min_value=0, max_value=16), digit=FOREIGN_DIGITS)
def test_a_foreign_digit_anywhere_in_a_valid_number_is_refused(position, digit):
    spoofed = NUMBER[:position] + digit + NUMBER[position + 1 :]
    with pytest.raises(ValidationError):
        normalize_resident_id(spoofed)
