import datetime as dt

from publications.calendar import is_working_day, last_working_day_of_week
from publications.models import CalendarOverride, Schedule
from publications.tasks import due_keys


def test_make_up_saturday_is_a_working_day(db):
    day = dt.date(2026, 2, 14)  # Saturday, 调休 before the Spring Festival
    assert day.weekday() == 5 and is_working_day(day)
    assert due_keys(day)[Schedule.WORKING_DAY] == "daily:2026-02-14"


def test_national_day_is_no_working_day(db):
    day = dt.date(2026, 10, 1)  # Thursday, 国庆节
    assert day.weekday() == 3 and not is_working_day(day)
    assert Schedule.WORKING_DAY not in due_keys(day)


def test_weekly_digest_falls_on_the_last_working_day_before_a_holiday(db):
    assert last_working_day_of_week(dt.date(2026, 10, 1)) == dt.date(2026, 9, 30)
    assert Schedule.WEEKLY in due_keys(dt.date(2026, 9, 30))
    assert Schedule.WEEKLY not in due_keys(dt.date(2026, 9, 29))


def test_override_table_covers_years_the_package_does_not_know(db):
    new_year = dt.date(2027, 1, 1)  # a Friday
    assert is_working_day(new_year)  # unknown year: Monday–Friday
    CalendarOverride.objects.create(date=new_year, is_working_day=False, note="元旦")
    CalendarOverride.objects.create(date=dt.date(2027, 1, 9), is_working_day=True, note="调休")
    assert not is_working_day(new_year)
    assert is_working_day(dt.date(2027, 1, 9))  # a Saturday made a working day
