"""Working days in China: the chinese-calendar package knows the State Council's
holiday and 调休 arrangements up to the year it was released; the CalendarOverride
table (edited by administrators) covers later years and wins over the package."""

import datetime as dt

import chinese_calendar

from .models import CalendarOverride


def is_working_day(day: dt.date) -> bool:
    override = CalendarOverride.objects.filter(date=day).values_list("is_working_day", flat=True).first()
    if override is not None:
        return override
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # A year the package does not know and nobody has entered: Monday–Friday.
        return day.weekday() < 5


def last_working_day_of_week(day: dt.date) -> dt.date | None:
    """The last working day of the ISO week containing `day` (the weekly digest's day)."""
    monday = day - dt.timedelta(days=day.weekday())
    for offset in range(6, -1, -1):
        candidate = monday + dt.timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    return None
