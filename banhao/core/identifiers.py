"""Resident ID numbers (GB 11643), unified social credit codes (GB 32100) and e-licence
identifiers (GB/T 36904).

Both functions return the canonical stored form (upper case, no spaces) or raise
`django.core.exceptions.ValidationError` with a message a citizen understands.

python-stdnum computes the check digits. Its `cn.ric.validate` additionally demands that
the six-digit address code was a county in the birth year according to its own table;
that rejects genuine old numbers (440524188001010014), so the address code is not
checked here (see docs/decisions/0002-identifier-validation.md).
"""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_37_36

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_FORBIDDEN = set("IOZSV")
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


_ASCII_ID = re.compile(r"[0-9]{17}[0-9X]")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def clean_code(value) -> str:
    """The typed code in canonical form: compatibility forms folded (NFKC: full-width
    ３７１３… and ｘ become 3713… and x), every space and hyphen removed, upper case.

    Only the form is changed here; the callers then validate against ASCII patterns, so
    a digit of another script (٣, ३), which NFKC leaves as it is, is refused rather than
    read as a second spelling of the same number.
    """
    if value is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s\u3000\-\u2010-\u2015\u2212]", "", folded).upper()


def normalize_resident_id(value) -> str:
    """Validates an 18-character resident ID number; accepts lower-case x, returns X."""
    number = clean_code(value)
    if not number:
        raise ValidationError("请填写公民身份号码。", code="required")
    if len(number) != 18:
        raise ValidationError(
            "公民身份号码应为18位，当前为%(n)d位。", code="length", params={"n": len(number)}
        )
    if not _ASCII_ID.fullmatch(number):
        raise ValidationError("公民身份号码前17位应为数字，最后一位为数字或X。", code="format")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("公民身份号码中的出生日期不存在，请核对。", code="birth_date") from None
    if birth > dt.date.today() or birth.year < 1850:
        raise ValidationError("公民身份号码中的出生日期不合理，请核对。", code="birth_date")
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError("公民身份号码校验位不正确，请核对是否输错。", code="checksum")
    return number


def resident_id_birth_date(number: str) -> dt.date:
    return ric.get_birth_date(number)


def resident_id_gender(number: str) -> str:
    """'M' or 'F' from the sequence code's parity (odd = male)."""
    return "M" if int(number[16]) % 2 else "F"


def normalize_uscc(value) -> str:
    """Validates an 18-character unified social credit code; returns it in upper case."""
    code = clean_code(value)
    if not code:
        raise ValidationError("请填写统一社会信用代码。", code="required")
    if len(code) != 18:
        raise ValidationError(
            "统一社会信用代码应为18位，当前为%(n)d位。", code="length", params={"n": len(code)}
        )
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        hint = "（不使用字母 I、O、Z、S、V）" if _USCC_FORBIDDEN.intersection(bad) else ""
        raise ValidationError(
            "统一社会信用代码含有不允许的字符：%(chars)s%(hint)s。",
            code="format",
            params={"chars": "、".join(bad), "hint": hint},
        )
    if not _ASCII_DIGITS.fullmatch(code[2:8]):
        raise ValidationError("统一社会信用代码第3至8位应为行政区划代码（数字）。", code="format")
    if code[-1] != uscc.calc_check_digit(code):
        raise ValidationError("统一社会信用代码校验位不正确，请核对是否输错。", code="checksum")
    return code


LICENCE_PREFIX = "1.2.156.3005.2."
_LICENCE_SERIAL = re.compile(r"[0-9A-Z]{1,32}")
_LICENCE_VERSION = re.compile(r"[0-9]{3}")
_LICENCE_CHECK = re.compile(r"[0-9A-Z]")


def licence_check_character(type_code: str, issuer_code: str, serial: str, version: str) -> str:
    """ISO/IEC 7064 MOD 37,36 over type code + issuer code + serial + version (no dots)."""
    return mod_37_36.calc_check_digit(f"{type_code}{issuer_code}{serial}{version}")


def make_licence_identifier(type_code: str, issuer_code: str, serial: str, version: int | str) -> str:
    """Builds the GB/T 36904 identifier ``1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>``."""
    version = f"{int(version):03d}" if not isinstance(version, str) else version
    check = licence_check_character(type_code, issuer_code, serial, version)
    return f"{LICENCE_PREFIX}{type_code}.{issuer_code}.{serial}.{version}.{check}"


def normalize_licence_type_code(value) -> str:
    """A licence type code: the defining authority's credit code and a 3-digit number (21 characters)."""
    code = clean_code(value)
    if len(code) != 21 or not code[18:].isdigit():
        raise ValidationError(
            "证照类型代码应为21位：定义机构的统一社会信用代码（18位）加3位数字顺序码。", code="format"
        )
    try:
        normalize_uscc(code[:18])
    except ValidationError as e:
        raise ValidationError(f"证照类型代码中的定义机构代码有误：{e.messages[0]}", code="uscc") from None
    return code


def normalize_licence_identifier(value) -> str:
    """Validates an e-licence identifier (电子证照标识, GB/T 36904) and returns it canonical.

    Full-width characters and lower case are folded; spaces are removed (dots are kept: they
    separate the parts). Raises ValidationError with a Chinese message for a wrong shape, a bad
    credit code inside (the defining authority's or the issuer's) or a wrong check character.
    """
    if value is None:
        value = ""
    folded = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"[\s\u3000]", "", folded).upper().replace("。", ".")
    if not text:
        raise ValidationError("请填写电子证照标识。", code="required")
    if not text.startswith(LICENCE_PREFIX):
        raise ValidationError("电子证照标识应以 1.2.156.3005.2. 开头（GB/T 36904），请核对。", code="format")
    parts = text[len(LICENCE_PREFIX) :].split(".")
    if len(parts) != 5:
        raise ValidationError(
            "电子证照标识应由证照类型代码、颁证机构代码、顺序号、版本号和校验位五段组成，以“.”分隔。",
            code="format",
        )
    type_code, issuer, serial, version, check = parts
    type_code = normalize_licence_type_code(type_code)
    try:
        issuer = normalize_uscc(issuer)
    except ValidationError as e:
        raise ValidationError(f"电子证照标识中的颁证机构代码有误：{e.messages[0]}", code="uscc") from None
    if not _LICENCE_SERIAL.fullmatch(serial):
        raise ValidationError("电子证照标识中的顺序号应为1至32位数字或大写字母。", code="format")
    if not _LICENCE_VERSION.fullmatch(version):
        raise ValidationError("电子证照标识中的版本号应为3位数字。", code="format")
    if not _LICENCE_CHECK.fullmatch(check):
        raise ValidationError("电子证照标识的校验位应为一位数字或大写字母。", code="format")
    if check != licence_check_character(type_code, issuer, serial, version):
        raise ValidationError("电子证照标识校验位不正确，请核对是否输错。", code="checksum")
    return f"{LICENCE_PREFIX}{type_code}.{issuer}.{serial}.{version}.{check}"


def uscc_division_code(code: str) -> str:
    """The registering authority's division code (positions 3–8)."""
    return code[2:8]


def resident_id_division_code(number: str) -> str:
    return number[:6]


# --- generators, used by the demo city, factories and benchmarks -------------------------


def make_resident_id(prefix17: str) -> str:
    """Completes 17 digits with their check digit."""
    if len(prefix17) != 17 or not prefix17.isdigit():
        raise ValueError("need 17 digits")
    return prefix17 + ric.calc_check_digit(prefix17 + "0")


def make_org_code(prefix8: str) -> str:
    """Completes an 8-character organisation code (GB 11714) with its check character."""
    values = [int(c, 36) for c in prefix8]
    check = 11 - sum(v * w for v, w in zip(values, _ORG_CODE_WEIGHTS, strict=True)) % 11
    return prefix8 + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(registration: str, org_type: str, division: str, org_code: str) -> str:
    """Builds a credit code from its parts and appends the GB 32100 check character."""
    body = registration + org_type + division + org_code
    if len(body) != 17:
        raise ValueError("need 17 characters before the check character")
    return body + uscc.calc_check_digit(body + "0")


# --- investment project codes (GB/T 40058) ------------------------------------------------

# Provinces of GB/T 2260 (first two digits of a division code); 00 is the national level
# (projects approved by the State Council's departments carry division 000000).
_PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
_PROJECT_CODE = re.compile(r"[0-9]{4}[0-9]{6}[0-9]{2}[0-9]{2}[0-9]{5}[0-9A-Z]")
PROJECT_CODE_FIRST_YEAR = 2014  # the national online approval platform began giving codes in 2014


def normalize_project_code(value, *, today: dt.date | None = None) -> str:
    """Validates an investment project code `YYYY-AAAAAA-DD-TT-RRRRRC` (GB/T 40058) and returns it
    with its four hyphens.

    Typed with or without hyphens (full-width forms folded as elsewhere). Checked here: the
    shape, the year (from 2014 up to this year) and the division code's shape (a province of
    GB/T 2260, or 000000 for the national level; a province-level code ends in 0000). Whether
    the division is one of the platform's regions is the projects app's check (through org),
    core knows no regions. The domain defines no algorithm for the last character, so it is
    only required to be a digit or a capital letter.
    """
    code = clean_code(value)
    if not code:
        raise ValidationError("请填写投资项目代码。", code="required")
    if len(code) != 20 or not _PROJECT_CODE.fullmatch(code):
        raise ValidationError(
            "投资项目代码格式不正确，应为“年份-行政区划代码-行业代码-项目类型-序号”，"
            "如 2024-371302-48-03-000016（共24位，含4个连字符）。",
            code="format",
        )
    year, division, dept, kind, serial = code[:4], code[4:10], code[10:12], code[12:14], code[14:20]
    this_year = (today or dt.date.today()).year
    if not PROJECT_CODE_FIRST_YEAR <= int(year) <= this_year:
        raise ValidationError(
            "投资项目代码中的年份%(year)s不正确，应在%(first)d年至%(last)d年之间。",
            code="year",
            params={"year": year, "first": PROJECT_CODE_FIRST_YEAR, "last": this_year},
        )
    province, city, county = division[:2], division[2:4], division[4:]
    national = division == "000000"
    if not national and (province not in _PROVINCE_CODES or (city == "00" and county != "00")):
        raise ValidationError(
            "投资项目代码中的行政区划代码%(division)s不存在，请核对。",
            code="division",
            params={"division": division},
        )
    if dept == "00" or kind == "00":
        raise ValidationError("投资项目代码中的行业代码和项目类型不能为00，请核对。", code="format")
    return f"{year}-{division}-{dept}-{kind}-{serial}"


def project_code_division(code: str) -> str:
    """The division code (second segment) of a normalised project code."""
    return code[5:11]
