"""The year's official 放假调休 notice: read from the lines an administrator types or
pastes, checked, and saved as CalendarOverride rows.

Each line holds one or more arrangements, as the notice prints them; a name before the
first date (元旦, 春节 …) is kept as the note::

    元旦：2027-01-01至2027-01-03 休
    2027-02-20 上班
    二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月20日（周六）、2月21日（周日）上班。

A date without a year belongs to the notice's year; an end date without a month to the
start's month.
"""

import contextlib
import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .calendar import statutory_holidays
from .models import CalendarOverride, CalendarYear

# The longest run of days off a notice has had is 9 (春节 2026); a longer one is a typo.
MAX_RANGE_DAYS = 15
# 元旦 and its make-up day may fall in the last days of the year before (2024's notice:
# 2023年12月30日至2024年1月1日).
EARLIEST_DECEMBER_DAY = 20

WORK_WORDS = ("调休上班", "上班", "补班")
OFF_WORDS = ("放假", "休息", "休")
KIND = re.compile("|".join(WORK_WORDS + OFF_WORDS))
_WEEKDAY = r"(?:\s*[（(](?:星期|周)[一二三四五六日天][）)])?"
RANGE = re.compile(
    r"(?<!\d)(?:(?P<ay>\d{4})\s*[-/.年]\s*)?(?P<am>\d{1,2})\s*[-/.月]\s*(?P<ad>\d{1,2})(?!\d)\s*日?"
    + _WEEKDAY
    + r"(?:\s*(?:至|到|~|～|—|–|－|\s-\s)\s*"
    r"(?:(?:(?P<by>\d{4})\s*[-/.年]\s*)?(?P<bm>\d{1,2})\s*[-/.月]\s*)?(?P<bd>\d{1,2})(?!\d)\s*日?" + _WEEKDAY + r")?"
)
CLAUSE_END = re.compile(r"[。；;]")
ORDINAL = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)\s*[、.．]\s*")
WEEKDAYS = "一二三四五六日"


class NoticeError(ValueError):
    """The typed notice cannot be saved; `messages` says why, line by line, in Chinese."""

    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Entry:
    date: dt.date
    is_working: bool
    note: str
    line: int


def _day(year: int, month: int, day: int, line_no: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise NoticeError([f"第{line_no}行：日期 {year}年{month}月{day}日 不存在。"]) from None


def _ranges(clause: str, year: int, line_no: int) -> list[tuple[dt.date, dt.date]]:
    found = []
    for m in RANGE.finditer(clause):
        start = _day(int(m["ay"] or year), int(m["am"]), int(m["ad"]), line_no)
        end = start
        if m["bd"]:
            end = _day(int(m["by"] or start.year), int(m["bm"] or start.month), int(m["bd"]), line_no)
        found.append((start, end))
    return found


def parse(text: str, year: int) -> dict[dt.date, Entry]:
    """The days a notice for `year` decides, keyed by date; raises NoticeError with every
    problem found (not only the first), so the administrator fixes them in one go."""
    errors: list[str] = []
    entries: dict[dt.date, Entry] = {}
    earliest = dt.date(year - 1, 12, EARLIEST_DECEMBER_DAY)
    latest = dt.date(year, 12, 31)
    example = f"请写成“{year}-01-01至{year}-01-03 休”或“{year}-02-20 上班”。"

    def add(start: dt.date, end: dt.date, working: bool, note: str, line_no: int) -> None:
        if end < start:
            errors.append(f"第{line_no}行：结束日期 {end} 早于开始日期 {start}。")
            return
        length = (end - start).days + 1
        if length > MAX_RANGE_DAYS:
            errors.append(f"第{line_no}行：{start}至{end}共{length}天，超过{MAX_RANGE_DAYS}天，请检查日期。")
            return
        if start < earliest or end > latest:
            errors.append(
                f"第{line_no}行：{start}{'' if start == end else f'至{end}'}不在{year}年内；"
                f"只能包含{year}年的日期和{year - 1}年12月{EARLIEST_DECEMBER_DAY}日以后的调休日期。"
            )
            return
        day = start
        while day <= end:
            earlier = entries.get(day)
            if working and day.weekday() < 5:
                errors.append(
                    f"第{line_no}行：{day}是星期{WEEKDAYS[day.weekday()]}，本来就上班；调休上班日应是星期六或星期日。"
                )
            elif earlier is not None and earlier.is_working != working:
                was, now = ("上班", "休息") if earlier.is_working else ("休息", "上班")
                errors.append(f"第{line_no}行：{day}在第{earlier.line}行写为{was}，这里又写为{now}。")
            elif earlier is None:
                entries[day] = Entry(day, working, note[:50], line_no)
            day += dt.timedelta(days=1)

    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        name = ""  # the festival named at the start of the line, for the notes
        for clause in CLAUSE_END.split(line):
            if not clause.strip():
                continue
            try:
                ranges = _ranges(clause, year, line_no)
            except NoticeError as exc:
                errors.extend(exc.messages)
                continue
            if not ranges:
                if KIND.search(clause):
                    errors.append(f"第{line_no}行无法识别：“{clause.strip()[:40]}”。{example}")
                continue  # prose between the arrangements ("共3天")
            last = list(RANGE.finditer(clause))[-1]
            kind = KIND.search(clause, last.end())
            if kind is None:
                errors.append(f"第{line_no}行：“{clause.strip()[:40]}”没有写明是休息还是上班。{example}")
                continue
            before = clause[: RANGE.search(clause).start()]
            name = re.sub(r"[：:，,\s]+", "", ORDINAL.sub("", before)) or name
            working = kind.group() in WORK_WORDS
            note = f"{name}调休上班" if working else (name or "放假")
            for start, end in ranges:
                add(start, end, working, note, line_no)
    if not errors and not entries:
        errors.append(f"请填写{year}年的放假调休安排，每行一项，例如“{year}-01-01至{year}-01-03 休”。")
    if errors:
        raise NoticeError(errors)
    return dict(sorted(entries.items()))


def as_overrides(entries: dict[dt.date, Entry]) -> dict[dt.date, tuple[bool, str]]:
    return {day: (e.is_working, e.note) for day, e in entries.items()}


def missing_statutory_days(year: int, entries: dict[dt.date, Entry]) -> list[tuple[dt.date, str]]:
    """Statutory holidays the typed notice does not give off: worth a second look before
    saving (a forgotten line), though the notice is the authority."""
    return [
        (day, name)
        for day, name in statutory_holidays(year).items()
        if not (day in entries and not entries[day].is_working)
    ]


@transaction.atomic
def enter_notice(*, year: int, text: str, user) -> CalendarYear:
    """Save `year`'s official notice: its days replace every override row of that year
    (and the December days the notice entered before), all at once or not at all, and
    the year stops being provisional. Raises NoticeError for a notice that does not parse."""
    entries = parse(text, year)
    previous = CalendarYear.objects.select_for_update().filter(year=year).first()
    stale_december: set[dt.date] = set()
    if previous is not None:
        # An older notice the rules now refuse loses only its year's rows.
        with contextlib.suppress(NoticeError):
            stale_december = {d for d in parse(previous.notice_text, year) if d.year != year}
    CalendarOverride.objects.filter(date__year=year).delete()
    CalendarOverride.objects.filter(date__in=stale_december | set(entries)).delete()
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(date=e.date, is_working_day=e.is_working, note=e.note) for e in entries.values()]
    )
    record, _ = CalendarYear.objects.update_or_create(
        year=year, defaults={"notice_text": text.strip(), "entered_by": user, "entered_at": timezone.now()}
    )
    return record
