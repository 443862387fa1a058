"""The acts of commissions (约稿) and monthly progress (一月一报): issuing a commission,
answering it, and the scheduled reminders and penalties (submissions/tasks.py runs
them hourly and daily; each is safe to run twice or to catch up after a lost run)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

import audit
from units import deadlines
from units.deadlines import Key
from units.models import OFFICE_KINDS, Role, Unit, User
from units.notify import notify, people_with_roles

from .. import actions as item_actions
from ..models import Commission, CommissionTarget, Item, ItemEvent
from ..signals import penalty_due
from ..workflow import WRITER_EDITABLE, TransitionError
from .access import can_issue_commission, can_link_answer
from .queries import (
    eligible_targets,
    first_answer_at,
    localtime_text,
    previous_month,
    progress_deadline,
    progress_items,
    unit_answers,
)

# Who in a unit is reminded: the writers, and the approvers without whom nothing leaves.
REMINDED_ROLES = (Role.STAFF, Role.UNIT_APPROVER)
REMIND_BEFORE = dt.timedelta(hours=24)


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
    if not can_issue_commission(user):
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
        body=f"{office.display_name}约稿，请于 {localtime_text(deadline)} 前报送。",
        url=reverse("commission_inbox"),
    )
    return commission


@transaction.atomic
def link_to_commission(*, item: Item, commission: Commission, user: User) -> Item:
    """Mark `item` as its unit's answer to `commission`.

    The item must still be with its unit (a draft or returned), come from a target unit
    and go to the office that issued the commission. An item answers one commission.
    """
    if not can_link_answer(user, item):
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
def answer_commission(*, author: User, commission: Commission, data: item_actions.ItemData) -> Item:
    """A staff member starts a draft that answers `commission`: both or neither."""
    item = item_actions.create_draft(author=author, data=data)
    return link_to_commission(item=item, commission=commission, user=author)


# The claim keys (units.deadlines). A penalty's key is its ledger ref; the late one
# replaces the missing one when an answer arrives after a run found none.
REMIND_KEY = Key("commission:{commission_id}:unit:{unit_id}:remind")
MISSING_KEY = Key("commission:{commission_id}:unit:{unit_id}")
LATE_KEY = Key("commission:{commission_id}:unit:{unit_id}:late")


def remind_due_commissions(*, now: dt.datetime) -> int:
    """Remind each target unit that has not answered a commission due within 24 hours; once."""
    targets = (
        CommissionTarget.objects.filter(commission__deadline__gt=now, commission__deadline__lte=now + REMIND_BEFORE)
        .filter(~Exists(unit_answers("commission_id", "unit_id")), ~REMIND_KEY.claimed())
        .select_related("commission__office", "unit")
    )
    return deadlines.each_once(targets, key=REMIND_KEY, act=lambda target: _remind(target, now))


def _remind(target: CommissionTarget, now: dt.datetime) -> None:
    commission = target.commission
    CommissionTarget.objects.filter(pk=target.pk).update(reminded_at=now)  # what the page shows
    notify(
        recipients=people_with_roles(target.unit, REMINDED_ROLES),
        verb="commission_due",
        title=f"约稿即将截止：{commission.topic}",
        body=f"{commission.office.display_name}约稿将于 {localtime_text(commission.deadline)} 截止，"
        "本单位尚未报送回复。",
        url=reverse("commission_inbox"),
    )


def penalize_overdue_commissions(*, now: dt.datetime) -> int:
    """Send one penalty for each target unit past a commission's deadline, by the facts
    alone: no answer yet is "约稿未报" (commission); an answer that arrived after the
    deadline is "约稿逾期报送" (commission_late), whenever this runs. A unit found
    unanswered whose answer then arrives late has the first penalty turned into the
    second (`replaces`), so the result does not depend on when the task ran.

    Each penalty claims its own key (its ledger ref), once. `penalized_at` records when
    the target's fault was last decided, for the pages; the query also honours it so
    that targets decided before the keys were claimed stay decided.
    """
    deadline = F("commission__deadline")
    targets = (
        CommissionTarget.objects.filter(commission__deadline__lte=now)
        .annotate(answered_at=first_answer_at("commission_id", "unit_id"))
        .filter(
            Q(answered_at__isnull=True, penalized_at__isnull=True) & ~MISSING_KEY.claimed()
            | Q(answered_at__gt=deadline)
            & (Q(penalized_at__isnull=True) | Q(penalized_at__lt=F("answered_at")))
            & ~LATE_KEY.claimed()
        )
        .select_related("commission__office", "unit")
    )

    def key(target: CommissionTarget) -> str:
        return (LATE_KEY if target.answered_at is not None else MISSING_KEY)(target)

    return deadlines.each_once(targets, key=key, act=lambda target: _penalize(target, now))


def _penalize(target: CommissionTarget, now: dt.datetime) -> None:
    commission = target.commission
    ref = MISSING_KEY(target)
    if target.answered_at is not None:
        CommissionTarget.objects.filter(pk=target.pk).update(penalized_at=max(now, target.answered_at))
        penalty_due.send(
            sender=Commission, office=commission.office, unit=target.unit, kind="commission_late",
            reason=f"约稿逾期报送：{commission.topic}（截止 {localtime_text(commission.deadline)}，"
            f"{localtime_text(target.answered_at)} 报送）",
            ref=LATE_KEY(target), replaces=ref, item=None, user=None,
        )  # fmt: skip
    else:
        CommissionTarget.objects.filter(pk=target.pk).update(penalized_at=now)
        penalty_due.send(
            sender=Commission, office=commission.office, unit=target.unit, kind="commission",
            reason=f"约稿未报：{commission.topic}", ref=ref, item=None, user=None,
        )  # fmt: skip


# --- Monthly progress (一月一报) ---------------------------------------------------------


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
    reported = set(progress_items(year, month).filter(office_id=F("unit__parent_id")).values_list("unit_id", flat=True))
    missing = [u for u in children if u.pk not in reported]
    if today <= deadline:
        return {"reminded": _remind_progress(missing, year, month, deadline), "listed": 0}
    return {"reminded": 0, "listed": _list_late_progress(missing, year, month)}


def _remind_progress(units: list[Unit], year: int, month: int, deadline: dt.date) -> int:
    key = Key(f"progress:{year}-{month:02d}:unit:{{pk}}")

    def remind(unit: Unit) -> None:
        notify(
            recipients=people_with_roles(unit, REMINDED_ROLES),
            verb="progress_due",
            title=f"请报送{year}年{month}月工作进展",
            body=f"按“一月一报”要求，请于 {deadline:%m月%d日} 前向{unit.parent.display_name}报送上月工作进展信息"
            "（信息类型选“工作进展”，所属日期填上月任一日）。",
            url=reverse("item_create"),
        )

    # Narrowed first, in one query: all but the first run of a month find every key taken.
    return deadlines.each_once(deadlines.unclaimed(units, key=key), key=key, act=remind)


def _list_late_progress(units: list[Unit], year: int, month: int) -> int:
    tag = f"{year}-{month:02d}"
    by_office: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        by_office[unit.parent_id].append(unit)

    def tell(late: list[Unit]) -> None:
        names = "、".join(u.display_name for u in late[:20]) + ("等" if len(late) > 20 else "")
        notify(
            recipients=people_with_roles(late[0].parent, [Role.EDITOR]),
            verb="progress_late",
            title=f"{year}年{month}月工作进展：{len(late)} 个单位未按时报送",
            body=f"截至报送时限仍未报送的单位：{names}。",
            url=f"{reverse('progress_status')}?month={tag}",
        )

    return deadlines.each_once(
        by_office.values(), key=lambda late: f"progress:{tag}:office:{late[0].parent_id}:late", act=tell
    )
