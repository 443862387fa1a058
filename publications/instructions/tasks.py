"""Scheduled work for instructions. Beat runs `check_feedback_deadlines` hourly; every
run is safe to repeat (each penalty and reminder claims its key once, units.deadlines),
so a lost run is simply caught up by the next."""

import datetime as dt

from celery import shared_task

from . import actions

__all__ = ["check_feedback_deadlines"]


# The registered name predates this module and is what the beat schedule
# (settings.CELERY_BEAT_SCHEDULE) sends: it is pinned, not derived from the path.
@shared_task(name="publications.check_feedback_deadlines")
def check_feedback_deadlines(today: str | dt.date | None = None) -> dict[str, int]:
    """Penalise handlers past the deadline without feedback; remind those due soon.
    `today` (ISO date or date) replaces the current date, for catch-up runs and tests."""
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    return actions.check_feedback_deadlines(today)
