"""Timeliness (及时): "事件不过日、进度不过十". Pure functions of dates."""

import datetime as dt

from .models import DeadlineRule


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
