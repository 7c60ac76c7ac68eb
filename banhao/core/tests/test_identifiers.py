"""Resident ID numbers (GB 11643) and unified social credit codes (GB 32100): domain.md §3."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from banhao.core.identifiers import (
    USCC_ALPHABET,
    make_org_code,
    make_resident_id,
    make_uscc,
    normalize_resident_id,
    normalize_uscc,
    resident_id_birth_date,
    resident_id_gender,
)

PROPERTY = settings(deadline=None, max_examples=200)


def _message(excinfo) -> str:
    return excinfo.value.messages[0]


def _code(excinfo) -> str:
    return excinfo.value.code


# --- resident ID --------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_the_valid_resident_ids_of_the_domain_are_accepted_unchanged(number):
    assert normalize_resident_id(number) == number


def test_a_lower_case_x_is_accepted_and_stored_as_upper_case():
    assert normalize_resident_id("11010519491231002x") == "11010519491231002X"


def test_spaces_and_full_width_spaces_around_and_inside_are_stripped():
    assert normalize_resident_id(" 110105 19491231 002X ") == "11010519491231002X"
    assert normalize_resident_id("\u3000440524188001010014\u3000") == "440524188001010014"


def test_a_wrong_resident_id_check_digit_is_refused_in_chinese():
    with pytest.raises(ValidationError) as excinfo:
        normalize_resident_id("110105194912310021")
    assert _code(excinfo) == "checksum"
    assert _message(excinfo) == "公民身份号码校验位不正确，请核对是否输错。"


def test_an_impossible_birth_date_is_refused_even_with_a_correct_check_digit():
    number = make_resident_id("11010519490230002")  # 30 February 1949
    with pytest.raises(ValidationError) as excinfo:
        normalize_resident_id(number)
    assert _code(excinfo) == "birth_date"
    assert _message(excinfo) == "公民身份号码中的出生日期不存在，请核对。"


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    number = make_resident_id(f"110105{tomorrow:%Y%m%d}001")
    with pytest.raises(ValidationError) as excinfo:
        normalize_resident_id(number)
    assert _message(excinfo) == "公民身份号码中的出生日期不合理，请核对。"


@pytest.mark.parametrize(("value", "length"), [("11010519491231002", 17), ("11010519491231002X1", 19)])
def test_a_resident_id_of_the_wrong_length_is_refused_with_its_length(value, length):
    with pytest.raises(ValidationError) as excinfo:
        normalize_resident_id(value)
    assert _code(excinfo) == "length"
    assert _message(excinfo) == f"公民身份号码应为18位，当前为{length}位。"


@pytest.mark.parametrize("value", ["", None, "   "])
def test_an_empty_resident_id_is_refused_as_required(value):
    with pytest.raises(ValidationError) as excinfo:
        normalize_resident_id(value)
    assert _message(excinfo) == "请填写公民身份号码。"


@pytest.mark.parametrize("value", ["1101051949123100AX", "X10105194912310021", "11010519491231002Y"])
def test_letters_other_than_a_final_x_are_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        normalize_resident_id(value)
    assert _message(excinfo) == "公民身份号码前17位应为数字，最后一位为数字或X。"


def test_birth_date_and_gender_are_read_from_the_number():
    assert resident_id_birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert resident_id_gender("11010519491231002X") == "F"  # sequence 002: even
    assert resident_id_gender("440524188001010014") == "M"  # sequence 001: odd


def test_make_resident_id_completes_17_digits_with_their_check_digit():
    assert make_resident_id("11010519491231002") == "11010519491231002X"
    assert make_resident_id("44052418800101001") == "440524188001010014"
    with pytest.raises(ValueError):
        make_resident_id("1101051949123100")
    with pytest.raises(ValueError):
        make_resident_id("1101051949123100A")


birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31))
address_codes = st.text(alphabet="0123456789", min_size=6, max_size=6)
sequences = st.text(alphabet="0123456789", min_size=3, max_size=3)


@PROPERTY
@given(address=address_codes, birth=birth_dates, sequence=sequences)
def test_any_number_completed_by_make_resident_id_validates(address, birth, sequence):
    number = make_resident_id(f"{address}{birth:%Y%m%d}{sequence}")
    assert normalize_resident_id(number) == number
    assert normalize_resident_id(number.lower()) == number


@PROPERTY
@given(
    address=address_codes,
    birth=birth_dates,
    sequence=sequences,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from("0123456789X"),
)
def test_changing_any_one_character_of_a_resident_id_is_detected(
    address, birth, sequence, position, replacement
):
    number = make_resident_id(f"{address}{birth:%Y%m%d}{sequence}")
    changed = number[:position] + replacement + number[position + 1 :]
    if changed == number:
        return
    with pytest.raises(ValidationError):
        normalize_resident_id(changed)


# --- unified social credit code ------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["914403001922038216", "91440300708461136T", "91330100716105852F", "11100000000013338W"]
)
def test_the_valid_credit_codes_of_the_domain_are_accepted(code):
    assert normalize_uscc(code) == code


def test_a_credit_code_is_stored_in_upper_case_without_spaces():
    assert normalize_uscc(" 91440300708461136t ") == "91440300708461136T"
    assert normalize_uscc("9144 0300 7084 6113 6T") == "91440300708461136T"


def test_a_wrong_credit_code_check_character_is_refused_in_chinese():
    with pytest.raises(ValidationError) as excinfo:
        normalize_uscc("914403001922038217")
    assert _code(excinfo) == "checksum"
    assert _message(excinfo) == "统一社会信用代码校验位不正确，请核对是否输错。"


def test_the_letter_i_is_refused_and_the_message_names_it_and_the_forbidden_letters():
    with pytest.raises(ValidationError) as excinfo:
        normalize_uscc("91440300708461136I")
    assert _code(excinfo) == "format"
    assert _message(excinfo) == "统一社会信用代码含有不允许的字符：I（不使用字母 I、O、Z、S、V）。"


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_none_of_the_letters_i_o_z_s_v_is_accepted_anywhere(letter):
    with pytest.raises(ValidationError):
        normalize_uscc(f"9{letter}4403001922038216")


def test_a_credit_code_of_the_wrong_length_is_refused_with_its_length():
    with pytest.raises(ValidationError) as excinfo:
        normalize_uscc("91440300192203821")
    assert _message(excinfo) == "统一社会信用代码应为18位，当前为17位。"


def test_an_empty_credit_code_is_refused_as_required():
    with pytest.raises(ValidationError) as excinfo:
        normalize_uscc("")
    assert _message(excinfo) == "请填写统一社会信用代码。"


def test_a_division_code_with_letters_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        normalize_uscc(make_uscc("9", "1", "44A300", "192203821"))
    assert _message(excinfo) == "统一社会信用代码第3至8位应为行政区划代码（数字）。"


def test_make_org_code_appends_the_gb_11714_check_character():
    assert make_org_code("19220382") == "192203821"
    assert make_org_code("70846113") == "708461136"
    assert make_org_code("71610585") == "716105852"


def test_make_uscc_builds_a_known_credit_code_from_its_parts():
    assert make_uscc("9", "1", "440300", make_org_code("19220382")) == "914403001922038216"
    assert make_uscc("9", "1", "440300", make_org_code("70846113")) == "91440300708461136T"
    with pytest.raises(ValueError):
        make_uscc("9", "1", "4403", "192203821")


organisation_codes = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)


@PROPERTY
@given(
    registration=st.sampled_from("123456789ANY"),
    org_type=st.sampled_from("123459"),
    division=st.text(alphabet="0123456789", min_size=6, max_size=6),
    org=organisation_codes,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(USCC_ALPHABET),
)
def test_a_built_credit_code_validates_and_any_one_substitution_is_detected(
    registration, org_type, division, org, position, replacement
):
    code = make_uscc(registration, org_type, division, make_org_code(org))
    assert normalize_uscc(code) == code
    changed = code[:position] + replacement + code[position + 1 :]
    if changed == code:
        return
    with pytest.raises(ValidationError):
        normalize_uscc(changed)
