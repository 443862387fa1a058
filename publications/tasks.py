"""Scheduled bulletins. Beat calls `compile_due_bulletins` every half hour in the
evening; each call compiles what is due today and has not been compiled yet, so a lost
or crashed run is caught up by the next one, and a duplicate delivery changes nothing
(the compile key is unique per publication)."""

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from units.models import User

from . import actions, calendar
from .instruction_tasks import *  # noqa: F403  (registers the instruction tasks with Celery)
from .models import CompileRun, Publication, Schedule


def due_keys(day: dt.date) -> dict[str, str]:
    """Which schedules are due on `day` and the compile key each uses."""
    keys = {}
    if calendar.is_working_day(day):
        keys[Schedule.WORKING_DAY] = f"daily:{day.isoformat()}"
    if calendar.last_working_day_of_week(day) == day:
        year, week, _ = day.isocalendar()
        keys[Schedule.WEEKLY] = f"weekly:{year}-W{week:02d}"
    return keys


@shared_task(name="publications.compile_due_bulletins")
def compile_due_bulletins(day: str | None = None) -> list[str]:
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    queued = []
    for schedule, key in due_keys(today).items():
        for pk in Publication.objects.filter(schedule=schedule, is_active=True).values_list("pk", flat=True):
            compile_publication.delay(pk, key)
            queued.append(f"{pk}:{key}")
    return queued


@shared_task(
    name="publications.compile_publication",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def compile_publication(publication_id: int, key: str, user_id: int | None = None, run_id: int | None = None) -> str:
    publication = Publication.objects.get(pk=publication_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    run = CompileRun.objects.filter(pk=run_id).first() if run_id else None
    run = actions.compile_issue(publication=publication, key=key, user=user, run=run)
    return f"{run.status}:{run.issue_id or ''}"
