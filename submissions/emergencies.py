"""Emergencies (突发事件): one case reported as 首报, then 续报一、续报二 …, closed by the 终报.

The reports are ordinary items and move through `actions.transition()`; this module holds
what is particular to the case — its actions, reads and access rules — because the case
is small. Two reactions to the ordinary acts run from the after-transition hook
(hooks.py, registered in `SubmissionsConfig.ready()`):

- the first report signed off is the written report. Its first sign-off time (kept across
  revisions as `first_submitted_at`) is compared with the grade's written deadline; when
  later, the case and the item are marked 迟报 and the assessing office's scheme is asked,
  once, for the "emergency_late" penalty (which the schemes may make an award veto);
- the final report signed off closes the case; no report can be added afterwards.

A case whose written deadline passes with no first report signed off is 漏报 ("missed"):
the hourly task (tasks.remind_commissions) asks the scheme once for that penalty (and its
veto). Should the first report still arrive, the facts make it a late report instead:
its "emergency_late" penalty replaces the 漏报 one, so the outcome never depends on
when the task ran.

Every report signed off alerts the office's editors at once (in-app and by e-mail).
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

import audit
from units.access import holds
from units.models import Reminder, Role, User
from units.notify import claim_once, notify, people_with_roles

from . import access, actions
from .models import AT_OFFICE, Category, EmergencyCase, EmergencyGrade, EmergencyRule, Item, ReportKind, State
from .signals import penalty_due
from .workflow import TransitionError

CATEGORY_CODE = "emergency"
PENALTY_KIND = "emergency_late"
MISSED_KIND = "missed"
NUMERALS = "一二三四五六七八九十"


# --- Small pure helpers -------------------------------------------------------------


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 99 → 九十九 (follow-ups are numbered 续报一、续报二 …)."""
    if n < 1 or n > 99:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens - 1] + "十")
    return head + (NUMERALS[ones - 1] if ones else "")


def report_label(kind: str, seq: int = 0) -> str:
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
    left = (deadline - (now or timezone.now())).total_seconds()
    # Rounded like the page's script (static/js/timer.js), which takes over every 30 s.
    return Timer(deadline=deadline, overdue=left < 0, minutes=round(abs(left) / 60))


def emergency_category() -> Category:
    return Category.objects.get(code=CATEGORY_CODE)


# --- Actions ------------------------------------------------------------------------


@dataclass
class CaseData:
    grade: str
    occurred_at: dt.datetime | None
    phoned_at: dt.datetime | None = None


def validate_case(data: CaseData, now: dt.datetime) -> None:
    """The rules for a case's grade and times; the form shows the same messages."""
    errors: dict[str, str] = {}
    if data.grade not in EmergencyGrade.values:
        errors["grade"] = "请选择事件等级。"
    if data.occurred_at is None:
        errors["occurred_at"] = "请填写事件发生时间。"
    elif data.occurred_at > now:
        errors["occurred_at"] = "事件发生时间不能晚于当前时间。"
    if data.phoned_at is not None:
        if data.phoned_at > now:
            errors["phoned_at"] = "电话报告时间不能晚于当前时间。"
        elif data.occurred_at is not None and data.phoned_at < data.occurred_at:
            errors["phoned_at"] = "电话报告时间不能早于事件发生时间。"
    if errors:
        raise ValidationError(errors)


def written_deadline(grade: str, occurred_at: dt.datetime) -> dt.datetime:
    rule = EmergencyRule.objects.filter(grade=grade).first()
    if rule is None:
        raise TransitionError("尚未设置该等级突发事件的报送时限，请联系管理员。")
    return occurred_at + dt.timedelta(minutes=rule.written_minutes)


def _link(item: Item, case: EmergencyCase, kind: str, seq: int, actor: User) -> Item:
    # The draft was created a moment ago in this transaction: no version to check.
    fields = {"emergency_case": case, "report_kind": kind, "report_seq": seq}
    Item.objects.filter(pk=item.pk).update(**fields)
    audit.record(action="update", obj=item, actor=actor, changes=audit.changes_of(item, fields))
    item.emergency_case, item.report_kind, item.report_seq = case, kind, seq
    return item


@transaction.atomic
def start_case(*, author: User, data: actions.ItemData, case: CaseData) -> Item:
    """A staff member reports an emergency: the case and its first report (a draft).

    The written deadline runs from the time it happened, by the grade's rule; the item's
    type is 突发事件 and its event date the day it happened.
    """
    unit = author.unit
    if unit is None or not holds(author, Role.STAFF):
        raise TransitionError("只有信息员可以报告突发事件。")
    if unit.parent_id is None:
        raise TransitionError("本单位没有上级单位，无法报送信息。")
    validate_case(case, timezone.now())
    record = EmergencyCase.objects.create(
        unit=unit,
        office_id=unit.parent_id,
        grade=case.grade,
        occurred_at=case.occurred_at,
        phoned_at=case.phoned_at,
        written_deadline=written_deadline(case.grade, case.occurred_at),
    )
    data = replace(data, category=emergency_category(), event_date=timezone.localdate(case.occurred_at))
    item = actions.create_draft(author=author, data=data)
    return _link(item, record, ReportKind.FIRST, 0, author)


@transaction.atomic
def add_report(*, case: EmergencyCase, author: User, data: actions.ItemData, kind: str) -> Item:
    """A follow-up (续报, numbered in order) or the final report (终报) of an open case.

    Only the case's own staff add reports, only after the first report has been
    submitted, and never after the final report closed the case.
    """
    # Locked so that two follow-ups written at once get different numbers (PostgreSQL).
    case = EmergencyCase.objects.select_for_update().get(pk=case.pk)
    if not (author.unit_id == case.unit_id and holds(author, Role.STAFF)):
        raise TransitionError("只有事件报送单位的信息员可以续报。")
    if kind not in (ReportKind.FOLLOW_UP, ReportKind.FINAL):
        raise TransitionError("请选择报告类型（续报或终报）。")
    if case.closed_at is not None:
        raise TransitionError("该突发事件已终报结案，不能再添加报告。")
    reports = Item.objects.filter(emergency_case=case)
    if not reports.filter(report_kind=ReportKind.FIRST, first_submitted_at__isnull=False).exists():
        raise TransitionError("首报尚未报送，请先报送首报。")
    seq = 0
    if kind == ReportKind.FINAL:
        if reports.filter(report_kind=ReportKind.FINAL).exclude(state=State.REJECTED).exists():
            raise TransitionError("该突发事件已有终报，请修改或报送已有的终报。")
    else:
        seq = (reports.filter(report_kind=ReportKind.FOLLOW_UP).aggregate(n=Max("report_seq"))["n"] or 0) + 1
    data = replace(data, category=emergency_category(), event_date=None)
    item = actions.create_draft(author=author, data=data)
    return _link(item, case, kind, seq, author)


def record_written_report(*, item: Item, user: User | None) -> bool:
    """The first report was signed off: time the written report. Returns whether it is late.

    The written report time is the first sign-off (kept when a returned report is
    signed off again). The case is marked late by a conditional update, so however often
    this runs, the penalty is asked for once; the scoring ledger keys on the same `ref`.
    """
    case = EmergencyCase.objects.select_related("unit", "office").get(pk=item.emergency_case_id)
    reported_at = item.first_submitted_at or item.signed_off_at or timezone.now()
    late = reported_at > case.written_deadline
    # Timed by the case, not by the category's "事件不过日" day rule that sign-off applied.
    fields = {"is_late": late, "deadline": timezone.localdate(case.written_deadline)}
    if any(getattr(item, k) != v for k, v in fields.items()):
        Item.objects.filter(pk=item.pk).update(**fields)
        audit.record(action="update", obj=item, actor=user, changes=audit.changes_of(item, fields))
        for k, v in fields.items():
            setattr(item, k, v)
    if late and EmergencyCase.objects.filter(pk=case.pk, is_late=False).update(is_late=True):
        local = timezone.localtime
        penalty_due.send(
            sender=EmergencyCase,
            office=case.office,
            unit=case.unit,
            kind=PENALTY_KIND,
            reason=f"{case.get_grade_display()}突发事件首报迟报：时限 {local(case.written_deadline):%m-%d %H:%M}，"
            f"{local(reported_at):%m-%d %H:%M} 报送",
            ref=f"emergency:{case.pk}",
            replaces=missed_ref(case),  # a late report is not also a missed one
            item=item,
            user=user,
        )
    return late


def missed_ref(case: EmergencyCase) -> str:
    return f"emergency:{case.pk}:missed"


def _first_reported(case_ref: str = "pk") -> Exists:
    return Exists(
        Item.objects.filter(
            emergency_case_id=OuterRef(case_ref), report_kind=ReportKind.FIRST, first_submitted_at__isnull=False
        )
    )


def penalize_missed_reports(*, now: dt.datetime) -> int:
    """漏报: each case whose written deadline has passed with no first report signed
    off is penalised once, by the scheme's "missed" rule. Safe to run twice (a key is
    claimed before the penalty is asked for, and the ledger keys on the same ref) and
    to be lost: a later run finds every case still unreported."""
    key = Concat(Value("emergency:"), Cast("pk", CharField()), Value(":missed"))
    cases = (
        EmergencyCase.objects.filter(written_deadline__lte=now, is_late=False)
        .alias(missed_key=key)
        .annotate(reported=_first_reported(), claimed=Exists(Reminder.objects.filter(key=OuterRef("missed_key"))))
        .filter(reported=False, claimed=False)
        .select_related("unit", "office")
    )
    penalized = 0
    for case in cases:
        with transaction.atomic():
            if not claim_once(missed_ref(case)):
                continue
            # Re-checked under the claim: a first report signed off meanwhile is timed
            # (and penalised as late) by its sign-off instead.
            if Item.objects.filter(
                emergency_case=case, report_kind=ReportKind.FIRST, first_submitted_at__isnull=False
            ).exists():
                continue
            penalty_due.send(
                sender=EmergencyCase,
                office=case.office,
                unit=case.unit,
                kind=MISSED_KIND,
                reason=f"{case.get_grade_display()}突发事件漏报：书面报告时限 "
                f"{timezone.localtime(case.written_deadline):%m-%d %H:%M} 已过，首报未报送",
                ref=missed_ref(case),
                item=None,
                user=None,
            )
        penalized += 1
    return penalized


def close_case(*, item: Item) -> bool:
    """The final report was signed off: the case closes (once)."""
    closed_at = item.signed_off_at or timezone.now()
    still_open = EmergencyCase.objects.filter(pk=item.emergency_case_id, closed_at__isnull=True)
    return bool(still_open.update(closed_at=closed_at))


def alert_editors(*, item: Item) -> None:
    """Tell the receiving office's editors at once that an emergency report arrived."""
    case = EmergencyCase.objects.select_related("unit", "office").get(pk=item.emergency_case_id)
    label = report_label(item.report_kind, item.report_seq)
    title = item.plain_title if not item.is_sensitive else "（敏感信息）"
    notify(
        recipients=people_with_roles(case.office, [Role.EDITOR]),
        verb="emergency_submitted",
        title=f"【{case.get_grade_display()}突发事件·{label}】{title}",
        body=f"{case.unit.display_name}报送了突发事件{label}，请立即处理。" + ("（首报迟报）" if item.is_late else ""),
        url=reverse("item_detail", args=[item.pk]),
    )


def after_transition(item: Item, user: User, action: str) -> None:
    """The after-transition hook (hooks.py): runs in the act's transaction."""
    if action != "sign_off" or not item.emergency_case_id:
        return
    if item.report_kind == ReportKind.FIRST:
        record_written_report(item=item, user=user)
    else:
        if item.is_late:  # follow-ups are not timed by the category's day rule
            Item.objects.filter(pk=item.pk).update(is_late=False)
            audit.record(action="update", obj=item, actor=user, changes={"is_late": [True, False]})
            item.is_late = False
        if item.report_kind == ReportKind.FINAL:
            close_case(item=item)
    alert_editors(item=item)


# --- Access -------------------------------------------------------------------------


def is_case_editor(user: User, case: EmergencyCase) -> bool:
    return user.unit_id == case.office_id and holds(user, Role.EDITOR)


def is_case_unit_reader(user: User, case: EmergencyCase) -> bool:
    return user.unit_id == case.unit_id and any(holds(user, r) for r in access.UNIT_READERS)


def can_read_case(user: User, case: EmergencyCase) -> bool:
    """The reporting unit's staff, approvers and leaders, and the receiving office's
    editors. A case shows no report text; each report is read under the item rules."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_case_editor(user, case) or is_case_unit_reader(user, case)


def can_add_report(user: User, case: EmergencyCase) -> bool:
    return case.closed_at is None and user.unit_id == case.unit_id and holds(user, Role.STAFF)


def get_case_for_user(user: User, pk: int) -> EmergencyCase:
    """A case this person may read, or 404."""
    try:
        case = EmergencyCase.objects.select_related("unit", "office").get(pk=pk)
    except (EmergencyCase.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该突发事件") from None
    if not can_read_case(user, case):
        raise Http404("没有找到该突发事件")
    return case


def cases_for_user(user: User) -> QuerySet[EmergencyCase]:
    """Cases reported by this person's unit (for its readers) and to it (for its editors)."""
    if not (user.is_authenticated and user.is_active and user.unit_id):
        return EmergencyCase.objects.none()
    scope = Q()
    if holds(user, Role.EDITOR):
        scope |= Q(office_id=user.unit_id)
    if any(holds(user, r) for r in access.UNIT_READERS):
        scope |= Q(unit_id=user.unit_id)
    if not scope:
        return EmergencyCase.objects.none()
    return EmergencyCase.objects.filter(scope)


# --- Queries ------------------------------------------------------------------------


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
    if not is_case_unit_reader(user, case):
        reports = reports.filter(state__in=AT_OFFICE)
    return [ReportRow(r, report_label(r.report_kind, r.report_seq), access.can_read(user, r)) for r in reports]


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
        .values("unit_id", "unit__name", "unit__short_name")
        .annotate(total=Count("pk"), late=Count("pk", filter=Q(is_late=True)))
        .order_by("-late", "-total", "unit__name")
    )
    return [UnitLateCount(r["unit__short_name"] or r["unit__name"], r["total"], r["late"]) for r in rows]


# --- The item page's panel ------------------------------------------------------------


def item_panel(request, item: Item) -> dict | None:
    """On an emergency report's page: its case, grade and written deadline."""
    if not item.emergency_case_id:
        return None
    case = EmergencyCase.objects.get(pk=item.emergency_case_id)
    first_pending = item.report_kind == ReportKind.FIRST and item.first_submitted_at is None
    return {
        "template": "submissions/emergencies/_item_panel.html",
        "case": case,
        "label": report_label(item.report_kind, item.report_seq),
        "timer": timer(case.written_deadline) if first_pending else None,
        "written_at": item.first_submitted_at if item.report_kind == ReportKind.FIRST else None,
        "can_see_case": can_read_case(request.user, case),
    }
