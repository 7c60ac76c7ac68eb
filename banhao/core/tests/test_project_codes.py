"""Investment project codes (GB/T 40058): shape, year, division code, full-width input."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from banhao.core.identifiers import normalize_project_code, project_code_division

TODAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("2024-371302-48-03-000016", "2024-371302-48-03-000016"),
        ("202437130248030000 16", "2024-371302-48-03-000016"),
        ("２０２４－３７１３０２－４８－０３－００００１６", "2024-371302-48-03-000016"),
        (" 2019-371371-70-01-00042x ", "2019-371371-70-01-00042X"),
        ("2026-370000-44-02-123459", "2026-370000-44-02-123459"),
        ("2014-000000-01-01-000011", "2014-000000-01-01-000011"),
    ],
)
def test_valid_codes_come_back_canonical(typed, canonical):
    assert normalize_project_code(typed, today=TODAY) == canonical


@pytest.mark.parametrize(
    ("typed", "code", "words"),
    [
        ("", "required", "请填写"),
        ("2024-371302-48-03-00001", "format", "格式不正确"),
        ("2024-371302-48-03-0000166", "format", "格式不正确"),
        ("2024-37130A-48-03-000016", "format", "格式不正确"),
        ("2024-371302-48-03-00001a!", "format", "格式不正确"),
        ("2024-٣71302-48-03-000016", "format", "格式不正确"),
        ("2013-371302-48-03-000016", "year", "年份2013"),
        ("2027-371302-48-03-000016", "year", "年份2027"),
        ("2024-991302-48-03-000016", "division", "991302"),
        ("2024-370012-48-03-000016", "division", "370012"),
        ("2024-371302-00-03-000016", "format", "不能为00"),
        ("2024-371302-48-00-000016", "format", "不能为00"),
    ],
)
def test_invalid_codes_are_refused_in_chinese(typed, code, words):
    with pytest.raises(ValidationError) as e:
        normalize_project_code(typed, today=TODAY)
    assert e.value.code == code
    assert words in " ".join(e.value.messages)


def test_the_year_limit_follows_today():
    assert normalize_project_code("2027-371302-48-03-000016", today=dt.date(2027, 1, 4))
    with pytest.raises(ValidationError):
        normalize_project_code("2027-371302-48-03-000016", today=dt.date(2026, 12, 31))


def test_division_of_a_code():
    assert project_code_division("2024-371302-48-03-000016") == "371302"
