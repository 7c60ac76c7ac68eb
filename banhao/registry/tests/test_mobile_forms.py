"""The registry's mobile-number rule folds compatibility forms (issue 10, fix 6)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from banhao.core.tests.test_identifier_forms import FULL_WIDTH, SPACES
from banhao.registry import services
from banhao.registry.api import normalize_mobile


def test_a_full_width_mobile_with_spaces_or_a_country_code_is_the_same_number():
    assert normalize_mobile("１３８ ００００ ０００１") == "13800000001"
    assert normalize_mobile("+86 138-0000-0001") == "13800000001"
    assert normalize_mobile("＋８６１３８０００００００１") == "13800000001"


@pytest.mark.parametrize("digit", ["\u0663", "\u0969", "\u0e53"])
def test_a_mobile_with_digits_of_another_script_is_refused_in_chinese(digit):
    with pytest.raises(ValidationError) as excinfo:
        normalize_mobile("1" + digit + "800000001")
    assert excinfo.value.messages == ["手机号码应为11位数字，以1开头。"]


@settings(deadline=None, max_examples=200)
@given(
    phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    wide=st.lists(st.booleans(), min_size=11, max_size=11),
    spaces=st.lists(SPACES, min_size=11, max_size=11),
)
def test_any_spelling_of_a_mobile_number_normalises_to_its_ascii_digits(phone, wide, spaces):
    typed = "".join((FULL_WIDTH[c] if w else c) + s for c, w, s in zip(phone, wide, spaces, strict=True))
    assert normalize_mobile(typed) == phone


@pytest.mark.django_db
def test_a_full_width_resident_id_finds_the_person_already_registered(make_person):
    person = make_person("371302", name="张三", phone="13800000009")
    wide = "".join(FULL_WIDTH[c] for c in person.resident_id)
    with pytest.raises(ValidationError) as excinfo:
        services.person_register(actor="测试", name="张三", resident_id=wide, phone="１３８００００００１０")
    assert "已" in " ".join(excinfo.value.messages)
