"""Reads of commissions (约稿) and monthly progress (一月一报) that the pages, the API and
the scheduled acts share: the listings, each target's status, the inbox status and the
monthly roll-call. No N+1: each read is a fixed number of queries per page."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Min, OuterRef, QuerySet, Subquery
from django.utils import timezone

from units.models import Unit, User

from .. import access as item_access
from ..models import AT_OFFICE, Category, Commission, CommissionTarget, DeadlineRule, Item
from ..timeliness import deadline_for
from .access import inbox_commissions, office_commissions

PROGRESS_CODE = "progress"
DEFAULT_PROGRESS_DAYS = 10  # "进度不过十", unless the category's rule says otherwise

ON_TIME, LATE, MISSING, PENDING = "on_time", "late", "missing", "pending"
STATUS_LABELS = {ON_TIME: "按时报送", LATE: "逾期报送", MISSING: "未报送", PENDING: "尚未报送"}
# The listings' `status` filter: open (deadline ahead) or closed (deadline passed).
OPEN, CLOSED = "open", "closed"


def localtime_text(value: dt.datetime) -> str:
    """A moment as the notices and the sheet write it, in China time."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def eligible_targets(office: Unit) -> QuerySet[Unit]:
    """The units an office may commission and expects monthly progress from: its active children."""
    return Unit.objects.filter(parent=office, is_active=True).in_official_order()


def answer_status(answered_at: dt.datetime | None, deadline: dt.datetime, now: dt.datetime) -> str:
    """On time, late, missing (deadline passed, no answer) or pending (not yet due)."""
    if answered_at is not None:
        return ON_TIME if answered_at <= deadline else LATE
    return MISSING if now > deadline else PENDING


def unit_answers(commission_ref: str, unit_ref: str) -> QuerySet[Item]:
    """Submitted items of a unit that answer a commission (refs into the outer query)."""
    return Item.objects.filter(
        commission_id=OuterRef(commission_ref), unit_id=OuterRef(unit_ref), first_submitted_at__isnull=False
    )


def first_answer_at(commission_ref: str, unit_ref: str) -> Subquery:
    """When a unit's first answer to a commission left the unit (refs into the outer query)."""
    return Subquery(
        unit_answers(commission_ref, unit_ref).order_by("first_submitted_at").values("first_submitted_at")[:1]
    )


def _by_deadline(qs: QuerySet[Commission], status: str, now: dt.datetime) -> QuerySet[Commission]:
    if status == OPEN:
        return qs.filter(deadline__gt=now)
    if status == CLOSED:
        return qs.filter(deadline__lte=now)
    return qs


# --- The office's side ----------------------------------------------------------------


def office_listing(user: User, *, q: str = "", status: str = "", now: dt.datetime) -> QuerySet[Commission]:
    """The editor's office's commissions, newest first, filtered by topic and by
    `status` (open / closed / all); the page and the API list the same rows."""
    qs = office_commissions(user).select_related("office", "created_by")
    if q:
        qs = qs.filter(topic__contains=q)
    return _by_deadline(qs, status, now).order_by("-created_at", "-pk")


@dataclass
class TargetRow:
    unit: Unit
    status: str
    answered_at: dt.datetime | None
    reminded_at: dt.datetime | None
    penalized_at: dt.datetime | None
    items: list[Item] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def commission_targets(commission: Commission, *, now: dt.datetime | None = None) -> list[TargetRow]:
    """Per target unit: its status and the answering items the office's editors may read
    (those that reached the office). Two queries, however many targets."""
    now = now or timezone.now()
    links = (
        commission.target_links.select_related("unit")
        .annotate(answered_at=first_answer_at("commission_id", "unit_id"))
        .order_by("unit__order_key")
    )
    items = defaultdict(list)
    answering = Item.objects.filter(commission=commission, office_id=commission.office_id, state__in=AT_OFFICE)
    for item in answering.order_by("first_submitted_at", "pk"):
        items[item.unit_id].append(item)
    rows = []
    for link in links:
        status = answer_status(link.answered_at, commission.deadline, now)
        rows.append(
            TargetRow(
                unit=link.unit,
                status=status,
                answered_at=link.answered_at,
                reminded_at=link.reminded_at,
                # The page says "已记约稿未报" by this; a late answer's penalty is another.
                penalized_at=None if status == LATE else link.penalized_at,
                items=items[link.unit_id],
            )
        )
    return rows


def attach_counts(commissions: Iterable[Commission], *, now: dt.datetime | None = None) -> list[Commission]:
    """Set `targets_count`, `on_time`, `late`, `unanswered` and `is_open` on each
    commission of a page, from one query over their targets."""
    now = now or timezone.now()
    page = list(commissions)
    by_pk = {c.pk: c for c in page}
    for c in page:
        c.targets_count = c.on_time = c.late = c.unanswered = 0
        c.is_open = c.deadline > now
    rows = (
        CommissionTarget.objects.filter(commission_id__in=list(by_pk))
        .annotate(answered_at=first_answer_at("commission_id", "unit_id"))
        .values_list("commission_id", "answered_at")
    )
    for commission_id, answered_at in rows:
        c = by_pk[commission_id]
        c.targets_count += 1
        status = answer_status(answered_at, c.deadline, now)
        if status == ON_TIME:
            c.on_time += 1
        elif status == LATE:
            c.late += 1
        else:
            c.unanswered += 1
    return page


# --- The target unit's side (the inbox) -------------------------------------------------


def inbox(user: User) -> QuerySet[Commission]:
    """The unit's commissions with `answered_at`: the unit's first submitted answer."""
    return (
        inbox_commissions(user)
        .select_related("office")
        .annotate(answered_at=Subquery(
            Item.objects.filter(commission_id=OuterRef("pk"), unit_id=user.unit_id, first_submitted_at__isnull=False)
            .order_by("first_submitted_at").values("first_submitted_at")[:1]
        ))
    )  # fmt: skip


def inbox_listing(user: User, *, q: str = "", status: str = "", now: dt.datetime) -> QuerySet[Commission]:
    """The unit's commissions filtered by topic and `status`: open ones soonest due
    first; closed ones (or all) latest deadline first. The page and the API list these."""
    qs = inbox(user)
    if q:
        qs = qs.filter(topic__contains=q)
    order = ("deadline", "pk") if status == OPEN else ("-deadline", "-pk")
    return _by_deadline(qs, status, now).order_by(*order)


def attach_inbox_status(commissions: Iterable[Commission], *, now: dt.datetime) -> list[Commission]:
    """Set `is_open`, `status` and `status_label` (the unit's answer) on each
    commission from `inbox()`."""
    page = list(commissions)
    for c in page:
        c.is_open = c.deadline > now
        c.status = answer_status(c.answered_at, c.deadline, now)
        c.status_label = STATUS_LABELS[c.status]
    return page


def attach_answers(user: User, commissions: Iterable[Commission]) -> list[Commission]:
    """Set `answers` on each commission: the unit's answering items this person may
    read, drafts included, oldest first; one query for the page."""
    page = list(commissions)
    answers: dict[int, list[Item]] = defaultdict(list)
    readable = item_access.unit_items(user).filter(commission__in=[c.pk for c in page])
    for item in readable.order_by("created_at", "pk"):
        answers[item.commission_id].append(item)
    for c in page:
        c.answers = answers[c.pk]
    return page


# --- Monthly progress (一月一报) ---------------------------------------------------------


def previous_month(day: dt.date) -> tuple[int, int]:
    """The (year, month) before the month of `day`: the one whose progress is due."""
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the month."""
    first = dt.date(year, month, 1)
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return first, following - dt.timedelta(days=1)


def progress_deadline(year: int, month: int) -> dt.date:
    """The last day on which month `year-month`'s progress is on time: the 10th of the
    next month, or what the 工作进展 category's monthly rule says."""
    category = Category.objects.filter(code=PROGRESS_CODE).only("deadline_rule", "deadline_days").first()
    days = DEFAULT_PROGRESS_DAYS
    if category is not None and category.deadline_rule == DeadlineRule.MONTHLY and category.deadline_days:
        days = category.deadline_days
    return deadline_for(DeadlineRule.MONTHLY, days, dt.date(year, month, 1))


def _start_of_day_after(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def progress_items(year: int, month: int) -> QuerySet[Item]:
    """Submitted 工作进展 items about the month (by their event date)."""
    first, last = month_bounds(year, month)
    return Item.objects.filter(
        category__code=PROGRESS_CODE, event_date__gte=first, event_date__lte=last, first_submitted_at__isnull=False
    )


@dataclass
class ProgressRow:
    unit: Unit
    status: str
    first_submitted_at: dt.datetime | None
    count: int

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class ProgressReport:
    year: int
    month: int
    deadline: dt.date
    rows: list[ProgressRow]

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in STATUS_LABELS}


def progress_status(office: Unit, year: int, month: int, *, now: dt.datetime | None = None) -> ProgressReport:
    """Each child unit's monthly progress for `year-month`: on time, late, missing (or
    pending while the deadline has not passed). Two queries, however many units."""
    now = now or timezone.now()
    deadline = progress_deadline(year, month)
    cutoff = _start_of_day_after(deadline)
    units = list(eligible_targets(office))
    reported = {
        row["unit_id"]: row
        for row in progress_items(year, month)
        .filter(office=office)
        .order_by()
        .values("unit_id")
        .annotate(first=Min("first_submitted_at"), n=Count("pk"))
    }
    rows = []
    for unit in units:
        row = reported.get(unit.pk)
        if row is None:
            rows.append(ProgressRow(unit, MISSING if now >= cutoff else PENDING, None, 0))
        else:
            rows.append(ProgressRow(unit, ON_TIME if row["first"] < cutoff else LATE, row["first"], row["n"]))
    return ProgressReport(year=year, month=month, deadline=deadline, rows=rows)
