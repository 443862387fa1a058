"""Timeliness (及时): "事件不过日、进度不过十".

The deadline rules are pure functions of dates. An item's lateness is decided once, at
its first sign-off (`first_submitted_at`, kept across revisions), and a 迟报 item is
penalised once by the assessing office's scheme (the "late" rule).
"""

import datetime as dt

from django.utils import timezone

from .models import DeadlineRule, Item
from .signals import penalty_due

LATE_PENALTY_KIND = "late"


def deadline_for(rule: str, days: int, event_date: dt.date | None) -> dt.date | None:
    """The last day on which an item about `event_date` is on time, or None."""
    if event_date is None or rule == DeadlineRule.NONE:
        return None
    if rule == DeadlineRule.EVENT_DAYS:
        return event_date + dt.timedelta(days=days)
    if rule == DeadlineRule.MONTHLY:
        year, month = (event_date.year + 1, 1) if event_date.month == 12 else (event_date.year, event_date.month + 1)
        return dt.date(year, month, max(1, min(days, 28)))
    return None


def is_late(deadline: dt.date | None, submitted_on: dt.date) -> bool:
    return deadline is not None and submitted_on > deadline


def late_ref(item: Item) -> str:
    return f"late:item:{item.pk}"


def penalise_late(*, item: Item, user=None) -> None:
    """Ask the assessing office's scheme for the 迟报 penalty of an item marked late at
    its first sign-off. Keyed on the item, so a second call penalises nothing more.

    Emergency reports are left out: the case's own timer decides them and its
    "emergency_late" penalty (emergencies/actions.py) already covers a late first report.
    """
    if not item.is_late or item.emergency_case_id or item.office_id is None:
        return
    # No title in the reason: the ledger names the item as each reader may see it.
    deadline = f"{item.deadline:%Y-%m-%d}" if item.deadline else "—"
    submitted = timezone.localtime(item.first_submitted_at) if item.first_submitted_at else None
    penalty_due.send(
        sender=Item,
        office=item.office,
        unit=item.unit,
        kind=LATE_PENALTY_KIND,
        reason=f"迟报：报送时限 {deadline}" + (f"，{submitted:%Y-%m-%d %H:%M} 报送" if submitted else ""),
        ref=late_ref(item),
        item=item,
        user=user,
    )
