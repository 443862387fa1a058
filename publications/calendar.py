"""Working days in China.

Three sources decide a day, and every caller can learn which one did:

- "official": the CalendarOverride table, edited by administrators — above all the
  State Council's 放假调休 notice entered for a year (CalendarYear records that it was);
  a row wins over everything else, in any year.
- "package": the chinese-calendar package, which knows the notices up to the year it
  was released.
- "provisional": a year the package does not know and whose notice is not entered yet.
  The statutory holidays (全国年节及纪念日放假办法 as amended in 2024) are off, weekends
  are off and every other day is worked; the make-up Saturdays and bridge days (调休)
  are unknown until the notice comes, so such a day is shown as 暂定 and everyone who
  can act is warned (`warnings`) from WARN_BEFORE ahead of the year.

Lunar dates (除夕, 端午, 中秋) and the 清明 solar term come from lunar-python, so no
hand-kept table runs out.
"""

import datetime as dt
import functools
import logging
from dataclasses import dataclass
from enum import StrEnum

import chinese_calendar
from django.core.cache import cache
from django.utils import timezone
from lunar_python import Lunar, Solar

from units.access import can_use_admin

from .models import CalendarOverride, CalendarYear

logger = logging.getLogger(__name__)

# The notice usually comes in November; two months ahead leaves time to chase it.
WARN_BEFORE = dt.timedelta(days=60)
PROVISIONAL_MARK = "（暂定）"


class Source(StrEnum):
    PACKAGE = "package"
    OFFICIAL = "official"
    PROVISIONAL = "provisional"


@dataclass(frozen=True)
class Day:
    date: dt.date
    is_working: bool
    source: Source
    note: str = ""

    @property
    def provisional(self) -> bool:
        return self.source == Source.PROVISIONAL

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


@functools.cache
def package_covers(year: int) -> bool:
    """Whether the installed chinese-calendar knows `year` (it raises for others)."""
    try:
        chinese_calendar.is_holiday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@functools.cache
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The days off the statutory rules give `year`, before any 调休: 元旦 1 day, 春节 4
    days from 除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3. A date two festivals share
    (中秋 on 10月3日 in 2028) keeps the first name."""
    days: dict[dt.date, str] = {}

    def add(day: dt.date, name: str) -> None:
        days.setdefault(day, name)

    def solar(lunar: Lunar) -> dt.date:
        s = lunar.getSolar()
        return dt.date(s.getYear(), s.getMonth(), s.getDay())

    add(dt.date(year, 1, 1), "元旦")
    # 除夕 is the last day of the twelfth month (the 29th or the 30th): the day before
    # 正月初一. In the years this runs for, 正月初一 falls between 21 January and 20
    # February, so all four days are in `year`.
    chuxi = solar(Lunar.fromYmd(year, 1, 1).next(-1))
    for offset in range(4):
        add(chuxi + dt.timedelta(days=offset), "春节")
    qingming = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    add(dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay()), "清明节")
    add(dt.date(year, 5, 1), "劳动节")
    add(dt.date(year, 5, 2), "劳动节")
    add(solar(Lunar.fromYmd(year, 5, 5)), "端午节")
    add(solar(Lunar.fromYmd(year, 8, 15)), "中秋节")
    for d in (1, 2, 3):
        add(dt.date(year, 10, d), "国庆节")
    return dict(sorted(days.items()))


def calendar_source(year: int) -> Source:
    """How `year`'s days are decided (apart from single override rows, which are official).
    An entered notice wins over the package too: it is the administrators' later word."""
    if CalendarYear.objects.filter(year=year).exists():
        return Source.OFFICIAL
    if package_covers(year):
        return Source.PACKAGE
    return Source.PROVISIONAL


def _decide(day: dt.date, source: Source) -> Day:
    """A day without an override row, in a year decided by `source`."""
    if source == Source.PACKAGE:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        working = not on_holiday
        if working and day.weekday() >= 5:
            return Day(day, True, source, "调休上班")
        return Day(day, working, source, _holiday_name(name) if name and on_holiday else "")
    if source == Source.PROVISIONAL:
        name = statutory_holidays(day.year).get(day, "")
        return Day(day, not name and day.weekday() < 5, source, name)
    # An entered notice lists every day off and every make-up day; the rest is Mon–Fri.
    return Day(day, day.weekday() < 5, source)


def _holiday_name(name: str | None) -> str:
    names = {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "Mid-autumn Festival": "中秋节",
        "National Day": "国庆节",
        "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
    }
    return names.get(name or "", name or "")


def day_info(day: dt.date) -> Day:
    override = CalendarOverride.objects.filter(date=day).values_list("is_working_day", "note").first()
    if override is not None:
        return Day(day, override[0], Source.OFFICIAL, override[1])
    return _decide(day, calendar_source(day.year))


def is_working_day(day: dt.date) -> bool:
    return day_info(day).is_working


def working_day(day: dt.date) -> tuple[bool, bool]:
    """(is it a working day, was that decided provisionally)."""
    info = day_info(day)
    return info.is_working, info.provisional


def last_working_day_of_week(day: dt.date) -> dt.date | None:
    """The last working day of the ISO week containing `day` (the weekly digest's day)."""
    monday = day - dt.timedelta(days=day.weekday())
    for offset in range(6, -1, -1):
        candidate = monday + dt.timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    return None


# --- A whole year, for the calendar pages --------------------------------------------------


def year_days(year: int, entries: dict[dt.date, tuple[bool, str]] | None = None) -> list[Day]:
    """Every day of `year`. With `entries` (a notice being previewed) the year is shown as
    it will be once they are saved; otherwise as it is decided now (two queries)."""
    if entries is not None:
        source, overrides = Source.OFFICIAL, entries
    else:
        source = calendar_source(year)
        rows = CalendarOverride.objects.filter(date__year=year).values_list("date", "is_working_day", "note")
        overrides = {d: (w, n) for d, w, n in rows}
    days = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        if day in overrides:
            working, note = overrides[day]
            days.append(Day(day, working, Source.OFFICIAL, note))
        else:
            days.append(_decide(day, source))
        day += dt.timedelta(days=1)
    return days


@dataclass(frozen=True)
class Month:
    number: int
    weeks: list[list[Day | None]]  # Monday first; None pads the first and last week


def months(days: list[Day]) -> list[Month]:
    """The days of one year as twelve month grids."""
    out: list[Month] = []
    for number in range(1, 13):
        month_days = [d for d in days if d.date.month == number]
        cells: list[Day | None] = [None] * month_days[0].date.weekday() + month_days
        cells += [None] * (-len(cells) % 7)
        out.append(Month(number, [cells[i : i + 7] for i in range(0, len(cells), 7)]))
    return out


def may_edit(user) -> bool:
    """The calendar is the whole installation's: its top office's administrators keep it."""
    return bool(user.is_superuser or (can_use_admin(user) and user.unit.parent_id is None))


# --- Warnings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarWarning:
    year: int
    days_left: int  # until the year begins; 0 or less once it has

    @property
    def message(self) -> str:
        when = f"{self.days_left}天后开始" if self.days_left > 0 else "已经开始"
        return (
            f"{self.year}年{when}，国务院办公厅{self.year}年放假调休通知尚未录入：系统正按法定节假日"
            f"暂定安排（不含调休上班日），每日刊物的编辑日期可能有误。请管理员在管理后台录入通知。"
        )

    @property
    def log_text(self) -> str:
        return (
            f"calendar for {self.year} is provisional: the official holiday notice has not been entered "
            f"({self.days_left} days until the year begins)"
        )


def warnings(today: dt.date | None = None) -> list[CalendarWarning]:
    """The years, this one or the next within WARN_BEFORE, that have only the provisional
    calendar."""
    today = today or timezone.localdate()
    found = []
    for year in (today.year, today.year + 1):
        first = dt.date(year, 1, 1)
        if today >= first - WARN_BEFORE and calendar_source(year) == Source.PROVISIONAL:
            found.append(CalendarWarning(year, (first - today).days))
    return found


def log_warnings_once_a_day(today: dt.date | None = None) -> list[CalendarWarning]:
    """Write the warnings to the log, once a day for the whole installation (the cache is
    shared by every process), so a log watcher sees them without a flood."""
    today = today or timezone.localdate()
    found = warnings(today)
    for warning in found:
        if cache.add(f"govinfo:calendar-warning:{warning.year}:{today.isoformat()}", 1, timeout=2 * 24 * 3600):
            logger.warning(warning.log_text)
    return found
