"""Moving "today" and the chinese-calendar package's coverage, for the calendar tests.

The package's last year changes with each release, so tests about "a year the package
does not know" ask it (`first_uncovered_year`), and tests about the 2027 dates make the
package not know 2027 (`treat_as_uncovered`), whatever release is installed."""

import datetime as dt

from django.utils import timezone

from publications import calendar

_real_localdate = timezone.localdate


def first_uncovered_year() -> int:
    year = dt.date.today().year - 5
    while calendar.package_covers(year):
        year += 1
    return year


def treat_as_uncovered(monkeypatch, year: int) -> None:
    """The package knows no year from `year` on."""
    covers = calendar.package_covers
    monkeypatch.setattr(calendar, "package_covers", lambda y: y < year and covers(y))


def move_today(monkeypatch, day: dt.date) -> None:
    """timezone.localdate() answers `day` (the calendar, home page, health check and admin
    form all ask it)."""

    def localdate(value=None, timezone=None):
        return day if value is None else _real_localdate(value, timezone)

    monkeypatch.setattr(timezone, "localdate", localdate)
