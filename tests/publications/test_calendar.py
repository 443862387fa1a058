import datetime as dt
import logging

import chinese_calendar
import pytest

from publications import calendar
from publications.calendar import Source, is_working_day, last_working_day_of_week, working_day
from publications.models import CalendarOverride, CalendarYear, Schedule
from publications.tasks import compile_due_bulletins, due_keys

from .calendar_helpers import first_uncovered_year, move_today, treat_as_uncovered


def test_make_up_saturday_is_a_working_day(db):
    day = dt.date(2026, 2, 14)  # Saturday, 调休 before the Spring Festival
    assert day.weekday() == 5 and is_working_day(day)
    assert due_keys(day)[Schedule.WORKING_DAY] == "daily:2026-02-14"
    assert working_day(day) == (True, False)  # the package decided it: not provisional


def test_national_day_is_no_working_day(db):
    day = dt.date(2026, 10, 1)  # Thursday, 国庆节
    assert day.weekday() == 3 and not is_working_day(day)
    assert Schedule.WORKING_DAY not in due_keys(day)


def test_weekly_digest_falls_on_the_last_working_day_before_a_holiday(db):
    assert last_working_day_of_week(dt.date(2026, 10, 1)) == dt.date(2026, 9, 30)
    assert Schedule.WEEKLY in due_keys(dt.date(2026, 9, 30))
    assert Schedule.WEEKLY not in due_keys(dt.date(2026, 9, 29))


# Asked of the installed package, not written down: a newer chinesecalendar release
# knows more years, and the test must then move on with it.
UNCOVERED = first_uncovered_year()


@pytest.mark.parametrize("year", [UNCOVERED, UNCOVERED + 1])
def test_a_year_the_package_does_not_know_is_provisional(db, year):
    assert calendar.calendar_source(UNCOVERED - 1) == Source.PACKAGE
    assert calendar.calendar_source(year) == Source.PROVISIONAL
    assert working_day(dt.date(year, 1, 1)) == (False, True)  # 元旦, not Monday–Friday
    assert working_day(dt.date(year, 10, 2)) == (False, True)


@pytest.mark.parametrize("year", [UNCOVERED, UNCOVERED + 1])
def test_override_rows_win_and_are_not_provisional(db, year):
    new_year = dt.date(year, 1, 1)
    saturday = next(dt.date(year, 1, d) for d in range(2, 9) if dt.date(year, 1, d).weekday() == 5)
    assert not is_working_day(saturday)
    CalendarOverride.objects.create(date=new_year, is_working_day=True, note="本地更正")
    CalendarOverride.objects.create(date=saturday, is_working_day=True, note="调休")
    assert working_day(new_year) == (True, False)
    assert working_day(saturday) == (True, False)  # a Saturday made a working day
    # The rest of the year is still provisional until the notice is entered.
    assert calendar.calendar_source(year) == Source.PROVISIONAL


# Every year the package knows since the 2024 amendment (2025 on), however many that is.
@pytest.mark.parametrize("year", range(2025, UNCOVERED))
def test_statutory_days_agree_with_the_package_where_it_knows_the_year(year):
    """The library's lunar and solar-term dates give the days the real notices gave off
    (since the 2024 amendment)."""
    for day, name in calendar.statutory_holidays(year).items():
        assert chinese_calendar.is_holiday(day), (day, name)


PROVISIONAL_2027_OFF = [
    ("2027-01-01", "元旦"),
    ("2027-02-05", "春节"),  # 除夕
    ("2027-02-06", "春节"),
    ("2027-02-07", "春节"),
    ("2027-02-08", "春节"),  # 正月初三, a Monday
    ("2027-04-05", "清明节"),
    ("2027-05-01", "劳动节"),
    ("2027-05-02", "劳动节"),
    ("2027-06-09", "端午节"),
    ("2027-09-15", "中秋节"),
    ("2027-10-01", "国庆节"),
    ("2027-10-02", "国庆节"),
    ("2027-10-03", "国庆节"),
]


def test_provisional_2027_gives_the_statutory_holidays_off(db, monkeypatch):
    treat_as_uncovered(monkeypatch, 2027)
    expected = {dt.date.fromisoformat(d): name for d, name in PROVISIONAL_2027_OFF}
    assert calendar.statutory_holidays(2027) == expected
    for day, name in expected.items():
        info = calendar.day_info(day)
        assert not info.is_working and info.provisional and info.note == name
    # Weekdays around them are worked, weekends off; no make-up days are known yet.
    assert working_day(dt.date(2027, 2, 9)) == (True, True)
    assert working_day(dt.date(2027, 2, 4)) == (True, True)
    assert working_day(dt.date(2027, 2, 20)) == (False, True)  # a Saturday


@pytest.mark.parametrize("day", ["2027-01-01", "2027-02-08", "2027-10-01"])
def test_no_daily_issue_is_queued_on_a_provisional_holiday(db, monkeypatch, daily, day):
    treat_as_uncovered(monkeypatch, 2027)
    assert not any(key.endswith(f"daily:{day}") for key in compile_due_bulletins(day))
    assert compile_due_bulletins("2027-02-09") == [f"{daily.pk}:daily:2027-02-09"]


def test_weekly_digest_moves_before_a_provisional_holiday(db, monkeypatch):
    treat_as_uncovered(monkeypatch, 2027)
    # 2027-10-01 is a Friday: the week's last working day is Thursday.
    assert last_working_day_of_week(dt.date(2027, 10, 1)) == dt.date(2027, 9, 30)


def test_entered_notice_replaces_the_provisional_calendar(db, monkeypatch):
    treat_as_uncovered(monkeypatch, 2027)
    CalendarYear.objects.create(year=2027, notice_text="2027-02-20 上班")
    CalendarOverride.objects.create(date=dt.date(2027, 2, 20), is_working_day=True, note="春节调休上班")
    assert calendar.calendar_source(2027) == Source.OFFICIAL
    assert working_day(dt.date(2027, 2, 20)) == (True, False)
    # Days the notice does not list are Monday–Friday: the notice is the whole word.
    assert working_day(dt.date(2027, 6, 9)) == (True, False)


def test_warnings_start_sixty_days_before_a_provisional_year(db, monkeypatch):
    treat_as_uncovered(monkeypatch, 2027)
    assert calendar.warnings(dt.date(2026, 11, 1)) == []
    (warning,) = calendar.warnings(dt.date(2026, 11, 2))
    assert warning.year == 2027 and warning.days_left == 60
    (warning,) = calendar.warnings(dt.date(2027, 3, 1))  # the year has begun: still warned
    assert warning.year == 2027 and "已经开始" in warning.message
    CalendarYear.objects.create(year=2027, notice_text="2027-01-01 休")
    assert calendar.warnings(dt.date(2027, 3, 1)) == []


@pytest.mark.redis_cache  # "once a day" is a cache.add, shared by web, worker and beat through Redis
def test_beat_task_logs_the_warning_once_a_day(db, monkeypatch, caplog):
    treat_as_uncovered(monkeypatch, 2027)
    move_today(monkeypatch, dt.date(2026, 11, 20))
    with caplog.at_level(logging.WARNING, logger="publications.calendar"):
        compile_due_bulletins()
        compile_due_bulletins()
    logged = [r for r in caplog.records if r.name == "publications.calendar"]
    assert len(logged) == 1 and "2027" in logged[0].getMessage() and "provisional" in logged[0].getMessage()
    move_today(monkeypatch, dt.date(2026, 11, 21))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="publications.calendar"):
        compile_due_bulletins()
    assert len([r for r in caplog.records if r.name == "publications.calendar"]) == 1


def test_year_grid_is_twelve_months_of_whole_weeks(db, monkeypatch):
    treat_as_uncovered(monkeypatch, 2027)
    months = calendar.months(calendar.year_days(2027))
    assert [m.number for m in months] == list(range(1, 13))
    january = months[0]
    assert january.weeks[0][:4] == [None] * 4 and january.weeks[0][4].date == dt.date(2027, 1, 1)
    assert all(len(week) == 7 for m in months for week in m.weeks)
    assert sum(1 for m in months for w in m.weeks for d in w if d) == 365
