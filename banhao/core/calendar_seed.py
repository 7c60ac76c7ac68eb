"""Seeds the calendar table from the chinesecalendar package (2004 to its last year).

Used by migration 0003 and by `manage.py calendar_seed`; never overwrites an entry an
administrator has already made for a date.
"""

import chinese_calendar

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
SOURCE = "国务院办公厅关于部分节假日安排的通知（经 chinesecalendar 收录）"


def package_years() -> range:
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def seed(calendar_day_model, calendar_year_model) -> tuple[int, int]:
    """Inserts the missing days and years; returns (days added, years added)."""
    existing = set(calendar_day_model.objects.values_list("date", flat=True))
    rows = []
    for date, name in sorted(chinese_calendar.holidays.items()):
        if date not in existing:
            rows.append(calendar_day_model(date=date, kind="holiday", name=NAMES.get(name, name)))
    for date, name in sorted(chinese_calendar.workdays.items()):
        if date not in existing:
            label = NAMES.get(name, name)
            rows.append(calendar_day_model(date=date, kind="workday", name=f"{label}调休上班"))
    calendar_day_model.objects.bulk_create(rows, batch_size=500)
    known = set(calendar_year_model.objects.values_list("year", flat=True))
    years = [calendar_year_model(year=y, source=SOURCE) for y in package_years() if y not in known]
    calendar_year_model.objects.bulk_create(years)
    return len(rows), len(years)
