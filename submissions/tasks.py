"""Scheduled work for commissions and monthly progress.

Beat runs `remind_commissions` hourly (commissions, and emergencies whose written
deadline passed with no first report) and `check_monthly_progress` daily. Both are
idempotent (each reminder and penalty claims its key once, units.deadlines), so a second
delivery or a catch-up run changes nothing. `now` (an ISO date-time) lets tests fix the clock.
"""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .commissions import actions as commissions
from .emergencies import actions as emergencies


def _moment(now: str | None) -> dt.datetime:
    if not now:
        return timezone.now()
    value = dt.datetime.fromisoformat(now)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@shared_task(name="submissions.remind_commissions")
def remind_commissions(now: str | None = None) -> dict[str, int]:
    """Remind target units of commissions due within 24 hours; penalise the unanswered
    and late ones past their deadline, and the emergencies missed (漏报) past their
    written deadline. `penalized` counts the penalties asked for, of all kinds."""
    at = _moment(now)
    reminded = commissions.remind_due_commissions(now=at)
    penalized = commissions.penalize_overdue_commissions(now=at) + emergencies.penalize_missed_reports(now=at)
    return {"reminded": reminded, "penalized": penalized}


@shared_task(name="submissions.check_monthly_progress")
def check_monthly_progress(now: str | None = None) -> dict[str, int]:
    """一月一报: remind units of last month's progress by the 10th, list the late after it."""
    return commissions.check_monthly_progress(now=_moment(now))


@shared_task(name="submissions.seal_attachment_files")
def seal_attachment_files() -> dict[str, int]:
    """Catch-up for files left behind by a lost on_commit (filesealing.after_commit_sync):
    every 敏感 item's files sealed, every other item's opened. Safe to run twice."""
    from . import filesealing

    counts = filesealing.sync_all()
    return {"looked_at": counts.looked_at, "sealed": counts.sealed, "opened": counts.opened}
