"""Scheduled bulletins. Beat calls `compile_due_bulletins` every half hour in the
evening; each call compiles what is due today and has not been compiled yet, so a lost
or crashed run is caught up by the next one, and a duplicate delivery changes nothing
(the compile key is unique per publication)."""

import datetime as dt
import logging

from celery import shared_task, signals
from django.db import OperationalError
from django.utils import timezone

from units.models import User

from . import actions, calendar
from .instructions.tasks import *  # noqa: F403  (registers the instruction tasks with Celery)
from .models import CompileRun, CompileStatus, Publication, Schedule

logger = logging.getLogger(__name__)
# A run still "running" after this long is not resumed but marked failed.
RESUME_WITHIN = dt.timedelta(hours=24)


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
    # Beat runs this every evening, so the log carries the warning daily until the notice
    # is entered; the decision itself says when it rests on the provisional calendar.
    calendar.log_warnings_once_a_day(timezone.localdate())
    working, provisional = calendar.working_day(today)
    if provisional:
        logger.info(
            "%s decided as a %s by the provisional calendar (no official holiday notice for %d)",
            today, "working day" if working else "day off", today.year,
        )  # fmt: skip
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


def resume_interrupted_compiles(now: dt.datetime | None = None) -> list[int]:
    """Queue again the compile runs that a dead worker left "running".

    A worker killed mid-compile (SIGKILL, out of memory, power) rolls its transaction
    back, so nothing is half-done; but its run stays "running", and with Redis the
    unacknowledged message comes back only after the visibility timeout (hours). Queuing
    a run twice is safe: compile_issue takes the publication's lock and leaves a finished
    run as it is, so a run that was only waiting in the queue, or that another worker is
    finishing, is not done twice. Runs older than RESUME_WITHIN are marked failed instead.
    Returns the ids of the runs queued again.
    """
    now = now or timezone.now()
    running = CompileRun.objects.filter(status=CompileStatus.RUNNING)
    running.filter(started_at__lt=now - RESUME_WITHIN).update(
        status=CompileStatus.FAILED, message="编辑中断（后台任务进程退出），请重新编辑。", finished_at=now
    )
    resumed = []
    for run in running.filter(started_at__gte=now - RESUME_WITHIN).order_by("pk"):
        compile_publication.delay(run.publication_id, run.key, run.requested_by_id, run.pk)
        resumed.append(run.pk)
    return resumed


@signals.worker_ready.connect
def _resume_on_worker_start(sender=None, **kwargs) -> None:
    from django.db import connection

    try:
        resumed = resume_interrupted_compiles()
        if resumed:
            logger.warning("queued again %d compile run(s) left running by a dead worker: %s", len(resumed), resumed)
    except Exception:  # never keep the worker from starting
        logger.exception("could not resume interrupted compile runs")
    finally:
        connection.close()  # the worker's main process keeps no connection for its children
