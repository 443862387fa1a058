"""Commissions (约稿) and monthly progress (一月一报、进度不过十).

One module for both because they share their shape: an office expects items from its
child units by a deadline, reminds those who have not answered, and lists who answered
on time, late or not at all. Access, acts and reads are grouped below in that order;
the Celery tasks in tasks.py call the scheduled acts at the end.

An answer counts once it has left its unit (signed off: `Item.first_submitted_at`, kept
across revisions); it is on time when that moment is not after the deadline.
"""

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

import audit
from units.access import holds
from units.models import OFFICE_KINDS, Reminder, Role, Unit, User
from units.notify import claim_once, notify, people_with_roles

from . import actions
from .models import AT_OFFICE, Category, Commission, CommissionTarget, DeadlineRule, Item, ItemEvent
from .signals import penalty_due
from .timeliness import deadline_for
from .workflow import WRITER_EDITABLE, TransitionError

# Who in a target unit sees its commissions; only staff answer them.
INBOX_ROLES = (Role.STAFF, Role.UNIT_APPROVER, Role.LEADER)
# Who in a unit is reminded: the writers, and the approvers without whom nothing leaves.
REMINDED_ROLES = (Role.STAFF, Role.UNIT_APPROVER)
REMIND_BEFORE = dt.timedelta(hours=24)

PROGRESS_CODE = "progress"
DEFAULT_PROGRESS_DAYS = 10  # "进度不过十", unless the category's rule says otherwise

ON_TIME, LATE, MISSING, PENDING = "on_time", "late", "missing", "pending"
STATUS_LABELS = {ON_TIME: "按时报送", LATE: "逾期报送", MISSING: "未报送", PENDING: "尚未报送"}


def _localtime_text(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


# --- Access -------------------------------------------------------------------------


def is_office_editor(user: User, office_id: int | None) -> bool:
    return bool(office_id) and holds(user, Role.EDITOR) and user.unit_id == office_id


def eligible_targets(office: Unit) -> QuerySet[Unit]:
    """The units an office may commission and expects monthly progress from: its active children."""
    return Unit.objects.filter(parent=office, is_active=True).order_by("sort_order", "name")


def office_commissions(user: User) -> QuerySet[Commission]:
    """The commissions of the office this editor works in."""
    if not holds(user, Role.EDITOR):
        return Commission.objects.none()
    return Commission.objects.filter(office_id=user.unit_id)


def get_commission_for_editor(user: User, pk: int) -> Commission:
    """A commission of this editor's office, or 404 (another office's looks missing)."""
    try:
        return office_commissions(user).select_related("office", "created_by").get(pk=pk)
    except (Commission.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该约稿") from None


def can_use_inbox(user: User) -> bool:
    return bool(user.is_authenticated and user.unit_id) and any(holds(user, r) for r in INBOX_ROLES)


def inbox_commissions(user: User) -> QuerySet[Commission]:
    """The commissions that ask this person's unit for items."""
    if not can_use_inbox(user):
        return Commission.objects.none()
    return Commission.objects.filter(target_links__unit_id=user.unit_id)


def get_commission_to_answer(user: User, pk: int) -> Commission:
    """A commission this staff member's unit is asked to answer, or 404."""
    if not holds(user, Role.STAFF):
        raise Http404("没有找到该约稿")
    try:
        return Commission.objects.select_related("office").get(pk=pk, target_links__unit_id=user.unit_id)
    except (Commission.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该约稿") from None


# --- Acts ---------------------------------------------------------------------------


def _people(units: Iterable[Unit], roles: Iterable[str]) -> QuerySet[User]:
    """Holders of `roles` in any of `units`, in one query."""
    return User.objects.filter(
        unit__in=list(units), is_active=True, role_grants__unit_id=F("unit_id"), role_grants__role__in=list(roles)
    ).distinct()


@transaction.atomic
def issue_commission(
    *,
    user: User,
    topic: str,
    requirements: str,
    deadline: dt.datetime,
    units: Iterable[Unit],
    now: dt.datetime | None = None,
) -> Commission:
    """An editor asks some of the office's child units for items on a topic by a
    deadline; the writers of those units are notified."""
    if not holds(user, Role.EDITOR):
        raise TransitionError("只有编辑可以发布约稿。")
    office = user.unit
    topic = topic.strip()
    if not topic:
        raise ValidationError("请填写约稿主题。")
    if deadline <= (now or timezone.now()):
        raise ValidationError("截止时间必须晚于当前时间。")
    chosen = list({u.pk: u for u in units}.values())
    if not chosen:
        raise ValidationError("请至少选择一个约稿对象单位。")
    allowed = set(eligible_targets(office).filter(pk__in=[u.pk for u in chosen]).values_list("pk", flat=True))
    outside = [u.name for u in chosen if u.pk not in allowed]
    if outside:
        raise ValidationError(f"约稿对象只能是本单位的下级单位，以下单位不在其中：{'、'.join(outside)}。")
    commission = Commission.objects.create(
        office=office, topic=topic, requirements=requirements.strip(), deadline=deadline, created_by=user
    )
    CommissionTarget.objects.bulk_create([CommissionTarget(commission=commission, unit=u) for u in chosen])
    notify(
        recipients=_people(chosen, [Role.STAFF]),
        verb="commission",
        title=f"约稿通知：{topic}",
        body=f"{office.display_name}约稿，请于 {_localtime_text(deadline)} 前报送。",
        url=reverse("commission_inbox"),
    )
    return commission


@transaction.atomic
def link_to_commission(*, item: Item, commission: Commission, user: User) -> Item:
    """Mark `item` as its unit's answer to `commission`.

    The item must still be with its unit (a draft or returned), come from a target unit
    and go to the office that issued the commission. An item answers one commission.
    """
    if not (holds(user, Role.STAFF) and user.unit_id == item.unit_id):
        raise TransitionError("只有本单位信息员可以将信息作为约稿回复。")
    if item.commission_id == commission.pk:
        return item
    if item.state not in WRITER_EDITABLE:
        raise TransitionError(f"该信息当前为“{item.get_state_display()}”状态，不能再作为约稿回复。")
    if item.office_id != commission.office_id:
        raise ValidationError("该约稿不是本信息的接收单位发出的，不能作为其回复。")
    if not commission.target_links.filter(unit_id=item.unit_id).exists():
        raise ValidationError("本单位不在该约稿的约稿对象之中。")
    # Only an unlinked item is linked: two tabs at once cannot make it answer two commissions.
    linked = Item.objects.filter(pk=item.pk, commission__isnull=True).update(
        commission=commission, updated_at=timezone.now()
    )
    if not linked:
        raise ValidationError("该信息已是另一约稿的回复，一条信息只能回复一个约稿。")
    audit.record(action="update", obj=item, actor=user, changes={"commission": [None, commission.pk]})
    item.commission = commission
    ItemEvent.objects.create(
        item=item, action="edit", from_state=item.state, to_state=item.state, actor=user,
        actor_unit_id=user.unit_id, comment=f"作为约稿回复：{commission.topic}",
    )  # fmt: skip
    return item


@transaction.atomic
def answer_commission(*, author: User, commission: Commission, data: actions.ItemData) -> Item:
    """A staff member starts a draft that answers `commission`: both or neither."""
    item = actions.create_draft(author=author, data=data)
    return link_to_commission(item=item, commission=commission, user=author)


def _answers(commission_ref: str, unit_ref: str) -> QuerySet[Item]:
    """Submitted items of a unit that answer a commission (refs into the outer query)."""
    return Item.objects.filter(
        commission_id=OuterRef(commission_ref), unit_id=OuterRef(unit_ref), first_submitted_at__isnull=False
    )


def _first_answer(commission_ref: str, unit_ref: str) -> Subquery:
    return Subquery(_answers(commission_ref, unit_ref).order_by("first_submitted_at").values("first_submitted_at")[:1])


def remind_due_commissions(*, now: dt.datetime) -> int:
    """Remind each target unit that has not answered a commission due within 24 hours; once."""
    targets = (
        CommissionTarget.objects.filter(
            commission__deadline__gt=now, commission__deadline__lte=now + REMIND_BEFORE, reminded_at__isnull=True
        )
        .annotate(answered=Exists(_answers("commission_id", "unit_id")))
        .filter(answered=False)
        .select_related("commission__office", "unit")
    )
    sent = 0
    for target in targets:
        commission = target.commission
        with transaction.atomic():
            if not claim_once(f"commission:{commission.pk}:unit:{target.unit_id}:remind"):
                continue
            CommissionTarget.objects.filter(pk=target.pk).update(reminded_at=now)
            notify(
                recipients=people_with_roles(target.unit, REMINDED_ROLES),
                verb="commission_due",
                title=f"约稿即将截止：{commission.topic}",
                body=f"{commission.office.display_name}约稿将于 {_localtime_text(commission.deadline)} 截止，"
                "本单位尚未报送回复。",
                url=reverse("commission_inbox"),
            )
        sent += 1
    return sent


def _target_ref(commission: Commission, unit_id: int) -> str:
    return f"commission:{commission.pk}:unit:{unit_id}"


def penalize_overdue_commissions(*, now: dt.datetime) -> int:
    """Send one penalty for each target unit past a commission's deadline, by the facts
    alone: no answer yet is "约稿未报" (commission); an answer that arrived after the
    deadline is "约稿逾期报送" (commission_late), whenever this runs. A unit found
    unanswered whose answer then arrives late has the first penalty turned into the
    second (`replaces`), so the result does not depend on when the task ran.

    `penalized_at` is the moment the target's fault was last decided; a target is
    looked at again only when its answer arrived after that.
    """
    deadline = F("commission__deadline")
    targets = (
        CommissionTarget.objects.filter(commission__deadline__lte=now)
        .annotate(answered_at=_first_answer("commission_id", "unit_id"))
        .filter(
            Q(answered_at__isnull=True, penalized_at__isnull=True)
            | Q(answered_at__gt=deadline) & (Q(penalized_at__isnull=True) | Q(penalized_at__lt=F("answered_at")))
        )
        .select_related("commission__office", "unit")
    )
    penalized = 0
    for target in targets:
        commission = target.commission
        ref = _target_ref(commission, target.unit_id)
        late = target.answered_at is not None
        with transaction.atomic():
            # Marking first, conditionally on what was read, makes a second run (or a
            # parallel one) a no-op.
            mark = max(now, target.answered_at) if late else now
            if not CommissionTarget.objects.filter(pk=target.pk, penalized_at=target.penalized_at).update(
                penalized_at=mark
            ):
                continue
            if late:
                penalty_due.send(
                    sender=Commission, office=commission.office, unit=target.unit, kind="commission_late",
                    reason=f"约稿逾期报送：{commission.topic}（截止 {_localtime_text(commission.deadline)}，"
                    f"{_localtime_text(target.answered_at)} 报送）",
                    ref=f"{ref}:late", replaces=ref, item=None, user=None,
                )  # fmt: skip
            else:
                penalty_due.send(
                    sender=Commission, office=commission.office, unit=target.unit, kind="commission",
                    reason=f"约稿未报：{commission.topic}", ref=ref, item=None, user=None,
                )  # fmt: skip
        penalized += 1
    return penalized


# --- Reads: commissions ---------------------------------------------------------------


def answer_status(answered_at: dt.datetime | None, deadline: dt.datetime, now: dt.datetime) -> str:
    if answered_at is not None:
        return ON_TIME if answered_at <= deadline else LATE
    return MISSING if now > deadline else PENDING


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
        .annotate(answered_at=_first_answer("commission_id", "unit_id"))
        .order_by("unit__sort_order", "unit__name")
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
    """Set `targets_count`, `on_time`, `late` and `unanswered` on each commission of a
    page, from one query over their targets."""
    now = now or timezone.now()
    page = list(commissions)
    by_pk = {c.pk: c for c in page}
    for c in page:
        c.targets_count = c.on_time = c.late = c.unanswered = 0
        c.is_open = c.deadline > now
    rows = (
        CommissionTarget.objects.filter(commission_id__in=list(by_pk))
        .annotate(answered_at=_first_answer("commission_id", "unit_id"))
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


# --- Monthly progress (一月一报) ---------------------------------------------------------


def previous_month(day: dt.date) -> tuple[int, int]:
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
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


def _progress_items(year: int, month: int) -> QuerySet[Item]:
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
        for row in _progress_items(year, month)
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


def progress_xlsx(report: ProgressReport, office: Unit) -> bytes:
    """The roll-call as a spreadsheet: data in, bytes out."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{report.year}-{report.month:02d}"
    ws.append([f"{office.name} {report.label}工作进展报送情况（截止 {report.deadline:%Y-%m-%d}）"])
    ws.append(["单位", "报送情况", "首次报送时间", "条数"])
    ws["A1"].font = ws["A2"].font = ws["B2"].font = ws["C2"].font = ws["D2"].font = Font(bold=True)
    for row in report.rows:
        name = row.unit.name
        if name.startswith(("=", "+", "-", "@")):  # never let a unit name become a formula
            name = "'" + name
        first = _localtime_text(row.first_submitted_at) if row.first_submitted_at else ""
        ws.append([name, row.status_label, first, row.count])
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 20
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def check_monthly_progress(*, now: dt.datetime) -> dict[str, int]:
    """By the deadline (the 10th), remind each unit under an office that has not
    reported last month's progress, once a month; after it, tell each office's editors
    once which units are late. Safe to run any number of times."""
    today = timezone.localdate(now)
    year, month = previous_month(today)
    deadline = progress_deadline(year, month)
    children = list(
        Unit.objects.filter(parent__kind__in=OFFICE_KINDS, parent__is_active=True, is_active=True).select_related(
            "parent"
        )
    )
    # Reported to the office the unit reports to now (an item goes to the unit's parent).
    reported = set(
        _progress_items(year, month).filter(office_id=F("unit__parent_id")).values_list("unit_id", flat=True)
    )
    missing = [u for u in children if u.pk not in reported]
    if today <= deadline:
        return {"reminded": _remind_progress(missing, year, month, deadline), "listed": 0}
    return {"reminded": 0, "listed": _list_late_progress(missing, year, month)}


def _remind_progress(units: list[Unit], year: int, month: int, deadline: dt.date) -> int:
    tag = f"{year}-{month:02d}"
    taken = set(Reminder.objects.filter(key__startswith=f"progress:{tag}:unit:").values_list("key", flat=True))
    sent = 0
    for unit in units:
        key = f"progress:{tag}:unit:{unit.pk}"
        if key in taken:
            continue
        with transaction.atomic():
            if not claim_once(key):
                continue
            notify(
                recipients=people_with_roles(unit, REMINDED_ROLES),
                verb="progress_due",
                title=f"请报送{year}年{month}月工作进展",
                body=f"按“一月一报”要求，请于 {deadline:%m月%d日} 前向{unit.parent.display_name}报送上月工作进展信息"
                "（信息类型选“工作进展”，所属日期填上月任一日）。",
                url=reverse("item_create"),
            )
        sent += 1
    return sent


def _list_late_progress(units: list[Unit], year: int, month: int) -> int:
    tag = f"{year}-{month:02d}"
    by_office: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        by_office[unit.parent_id].append(unit)
    listed = 0
    for late in by_office.values():
        office = late[0].parent
        with transaction.atomic():
            if not claim_once(f"progress:{tag}:office:{office.pk}:late"):
                continue
            names = "、".join(u.display_name for u in late[:20]) + ("等" if len(late) > 20 else "")
            notify(
                recipients=people_with_roles(office, [Role.EDITOR]),
                verb="progress_late",
                title=f"{year}年{month}月工作进展：{len(late)} 个单位未按时报送",
                body=f"截至报送时限仍未报送的单位：{names}。",
                url=f"{reverse('progress_status')}?month={tag}",
            )
        listed += 1
    return listed


def commission_panel(request, item: Item) -> dict | None:
    """The commission an item answers, for the item page (register in AppConfig.ready())."""
    if not item.commission_id:
        return None
    commission = Commission.objects.select_related("office").filter(pk=item.commission_id).first()
    if commission is None:
        return None
    status = ""
    if item.first_submitted_at:
        status = STATUS_LABELS[answer_status(item.first_submitted_at, commission.deadline, timezone.now())]
    return {"template": "submissions/commissions/_item_panel.html", "commission": commission, "status_label": status}
