"""Forms of the applicant's appointment pages (预约取号).

The choice steps travel as GET parameters (hall, zone, q, item, day, start) and are read
leniently: a value that does not parse is dropped, never a 500. The writes (book, reschedule)
are POST forms; what they may book is decided by the services, whose Chinese messages the
pages show as they are.
"""

from __future__ import annotations

import datetime as dt

from django import forms

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


def parse_int(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def parse_day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def parse_time(value) -> dt.time | None:
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(str(value).strip(), fmt).time()
        except (TypeError, ValueError):
            continue
    return None


class SlotForm(forms.Form):
    """A day and a slot start, as the slot grid sends them."""

    day = forms.DateField(
        label="预约日期",
        input_formats=["%Y-%m-%d"],
        error_messages={"required": "请选择预约日期。", "invalid": "预约日期格式应为 年-月-日。"},
    )
    start = forms.TimeField(
        label="预约时段",
        input_formats=TIME_FORMATS,
        error_messages={"required": "请选择预约时段。", "invalid": "请选择预约时段。"},
    )


class BookForm(SlotForm):
    """The confirmation: where, when, the optional item and the phone for the SMS."""

    hall = forms.IntegerField(
        label="大厅", min_value=1, error_messages={"required": "请选择大厅。", "invalid": "请选择大厅。"}
    )
    zone = forms.IntegerField(
        label="功能区",
        min_value=1,
        error_messages={"required": "请选择办理业务的功能区。", "invalid": "请选择办理业务的功能区。"},
    )
    item = forms.IntegerField(label="办理事项", min_value=1, required=False)
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        error_messages={"required": "请填写手机号码，用于接收预约短信。"},
    )
