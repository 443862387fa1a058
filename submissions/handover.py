"""What a person leaving their unit leaves open in submissions (units/handover.py):
their drafts, items awaiting sign-off and items returned for revision go to the named
colleague; the unit's commissions still to answer stay with the unit (listed)."""

from django.utils import timezone

import audit
from units.handover import register

from .models import CommissionTarget, Item, State

OPEN_STATES = (State.DRAFT, State.PENDING_SIGNOFF, State.RETURNED)


def _items(person, unit):
    return Item.objects.filter(author=person, unit=unit, state__in=OPEN_STATES).order_by("pk")


def find_items(person, unit) -> list[str]:
    return [f"《{i.plain_title}》（{i.get_state_display()}）" for i in _items(person, unit)]


def hand_over_items(person, unit, colleague, actor) -> int:
    """The items become the colleague's to finish: author changes, an audit row each."""
    items = list(_items(person, unit))
    for item in items:
        audit.record(action="update", obj=item, changes={"author": [person.pk, colleague.pk]}, actor=actor)
    Item.objects.filter(pk__in=[i.pk for i in items]).update(author=colleague)
    return len(items)


def find_commissions(person, unit) -> list[str]:
    # NOT IN over a column with NULLs matches nothing: only items that answer a commission.
    answered = (
        Item.objects.filter(unit=unit, commission__isnull=False).exclude(state=State.DRAFT).values("commission_id")
    )
    targets = CommissionTarget.objects.filter(unit=unit, commission__deadline__gte=timezone.now()).exclude(
        commission_id__in=answered
    )
    return [f"约稿“{t.commission.topic}”（截止 {timezone.localtime(t.commission.deadline):%Y-%m-%d %H:%M}）"
            for t in targets.select_related("commission").order_by("commission__deadline")]  # fmt: skip


register("items", "草稿、待审签和退回修改的信息", find=find_items, hand_over=hand_over_items)
register("commissions", "本单位待回复的约稿（仍由本单位办理）", find=find_commissions)
