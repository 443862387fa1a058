"""The acts of emergency cases: reporting a case with its 首报, adding 续报 and 终报,
and the reactions to the ordinary item acts (after_transition, registered as a hook):
timing the written report, closing the case, alerting the office's editors; and the
hourly 漏报 penalty (run by submissions.tasks.remind_commissions)."""

import datetime as dt
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone

import audit
from units import deadlines
from units.deadlines import Key
from units.models import Role, User
from units.notify import notify, people_with_roles

from .. import actions as item_actions
from ..models import Category, EmergencyCase, EmergencyGrade, EmergencyRule, Item, ReportKind, State
from ..signals import penalty_due
from ..workflow import TransitionError
from . import access
from .queries import report_label

CATEGORY_CODE = "emergency"
PENALTY_KIND = "emergency_late"
MISSED_KIND = "missed"


def emergency_category() -> Category:
    """The 突发事件 category every report of a case is filed under."""
    return Category.objects.get(code=CATEGORY_CODE)


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
    """When the written report is due: the grade's rule from the time it happened."""
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
def start_case(*, author: User, data: item_actions.ItemData, case: CaseData) -> Item:
    """A staff member reports an emergency: the case and its first report (a draft).

    The written deadline runs from the time it happened, by the grade's rule; the item's
    type is 突发事件 and its event date the day it happened.
    """
    unit = author.unit
    if unit is None or not access.is_unit_staff(author):
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
    item = item_actions.create_draft(author=author, data=data)
    return _link(item, record, ReportKind.FIRST, 0, author)


@transaction.atomic
def add_report(*, case: EmergencyCase, author: User, data: item_actions.ItemData, kind: str) -> Item:
    """A follow-up (续报, numbered in order) or the final report (终报) of an open case.

    Only the case's own staff add reports, only after the first report has been
    submitted, and never after the final report closed the case.
    """
    # Locked so that two follow-ups written at once get different numbers (PostgreSQL).
    case = EmergencyCase.objects.select_for_update().get(pk=case.pk)
    if not access.can_write_reports(author, case):
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
    item = item_actions.create_draft(author=author, data=data)
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


MISSED_KEY = Key("emergency:{pk}:missed")


def missed_ref(case: EmergencyCase) -> str:
    """The key of a case's 漏报 penalty (claimed once, and replaced by a late report's)."""
    return MISSED_KEY(case)


def _first_reported(case_ref: str = "pk") -> Exists:
    return Exists(
        Item.objects.filter(
            emergency_case_id=OuterRef(case_ref), report_kind=ReportKind.FIRST, first_submitted_at__isnull=False
        )
    )


def penalize_missed_reports(*, now: dt.datetime) -> int:
    """漏报: each case whose written deadline has passed with no first report signed
    off is penalised once, by the scheme's "missed" rule. Safe to run twice (the
    penalty's key is claimed in the penalty's transaction, and the ledger keys on the
    same ref) and to be lost: a later run finds every case still unreported."""
    cases = (
        EmergencyCase.objects.filter(written_deadline__lte=now, is_late=False)
        .filter(~_first_reported(), ~MISSED_KEY.claimed())
        .select_related("unit", "office")
    )
    return deadlines.each_once(cases, key=MISSED_KEY, act=_penalize_missed)


def _penalize_missed(case: EmergencyCase) -> bool:
    # Re-checked under the claim: a first report signed off meanwhile is timed (and
    # penalised as late) by its sign-off instead.
    if Item.objects.filter(
        emergency_case=case, report_kind=ReportKind.FIRST, first_submitted_at__isnull=False
    ).exists():
        return False
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
    return True


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
