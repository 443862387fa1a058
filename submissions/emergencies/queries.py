"""Reads of emergency cases that the pages and the API share: the listing, a case's
reports in order, late reports per unit, and the small helpers that name a report and
time the written deadline."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from units.models import User

from .. import access as item_access
from ..models import AT_OFFICE, EmergencyCase, Item, ReportKind
from . import access

NUMERALS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 99 → 九十九 (follow-ups are numbered 续报一、续报二 …)."""
    if n < 1 or n > 99:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens - 1] + "十")
    return head + (NUMERALS[ones - 1] if ones else "")


def report_label(kind: str, seq: int = 0) -> str:
    """首报, 续报一, 续报二 … or 终报."""
    if kind == ReportKind.FIRST:
        return "首报"
    if kind == ReportKind.FINAL:
        return "终报"
    return f"续报{chinese_number(seq)}"


@dataclass(frozen=True)
class Timer:
    """Minutes left until a deadline, or past it."""

    deadline: dt.datetime
    overdue: bool
    minutes: int

    @property
    def text(self) -> str:
        return f"已超时{self.minutes}分钟" if self.overdue else f"剩余{self.minutes}分钟"


def timer(deadline: dt.datetime, now: dt.datetime | None = None) -> Timer:
    """The minutes left until `deadline`, or past it, as the pages show them."""
    left = (deadline - (now or timezone.now())).total_seconds()
    # Rounded like the page's script (static/js/timer.js), which takes over every 30 s.
    return Timer(deadline=deadline, overdue=left < 0, minutes=round(abs(left) / 60))


@dataclass
class ReportRow:
    item: Item
    label: str
    readable: bool


def case_reports(user: User, case: EmergencyCase) -> list[ReportRow]:
    """The case's reports in order (首报, 续报一 …, 终报). The office's editors see only
    those that reached the office; a report this person may not read shows no title."""
    order = Case(
        When(report_kind=ReportKind.FIRST, then=Value(0)),
        When(report_kind=ReportKind.FOLLOW_UP, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    reports = (
        Item.objects.filter(emergency_case=case)
        .select_related("unit", "office", "author", "signed_off_by")
        .order_by(order, "report_seq", "pk")
    )
    if not access.is_case_unit_reader(user, case):
        reports = reports.filter(state__in=AT_OFFICE)
    return [ReportRow(r, report_label(r.report_kind, r.report_seq), item_access.can_read(user, r)) for r in reports]


def case_listing(qs: QuerySet[EmergencyCase]) -> QuerySet[EmergencyCase]:
    """Open cases first, then the most recent; with the written report time and the
    number of reports submitted, in one query."""
    first = Item.objects.filter(emergency_case=OuterRef("pk"), report_kind=ReportKind.FIRST)
    return (
        qs.select_related("unit")
        .annotate(
            written_at=Subquery(first.values("first_submitted_at")[:1]),
            first_report_id=Subquery(first.values("pk")[:1]),
            report_count=Count("reports", filter=Q(reports__first_submitted_at__isnull=False)),
            is_closed=Case(When(closed_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
        )
        .order_by("is_closed", "-occurred_at", "-pk")
    )


@dataclass
class UnitLateCount:
    unit_name: str
    total: int
    late: int


def late_counts(qs: QuerySet[EmergencyCase], year: int) -> list[UnitLateCount]:
    """Cases and late cases per unit in `year` (by the time the emergency happened)."""
    rows = (
        qs.filter(occurred_at__year=year)
        .order_by()
        .values("unit_id", "unit__name", "unit__short_name", "unit__order_key")
        .annotate(total=Count("pk"), late=Count("pk", filter=Q(is_late=True)))
        .order_by("-late", "-total", "unit__order_key")
    )
    return [UnitLateCount(r["unit__short_name"] or r["unit__name"], r["total"], r["late"]) for r in rows]


def listed_cases(user: User, filters) -> QuerySet[EmergencyCase]:
    """The cases this person may see, narrowed by the list's filter form (CaseFilterForm,
    already bound to valid values), in the listing's order: the page and the API list these."""
    return case_listing(filters.apply(access.cases_for_user(user))).select_related("office")
