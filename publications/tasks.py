"""Scheduled bulletins. Beat calls `compile_due_bulletins` every half hour in the
evening; each call compiles what is due today and has not been compiled yet, so a lost
or crashed run is caught up by the next one, and a duplicate delivery changes nothing
(the compile key is unique per publication)."""

import datetime as dt
import logging

from celery import shared_task, signals
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.utils import timezone

from units.models import User

from . import actions, calendar, docx, pdf
from .copies import complete_copy, issue_document
from .instructions.tasks import *  # noqa: F403  (registers the instruction tasks with Celery)
from .models import CompileRun, CompileStatus, Issue, IssueState, Publication, Schedule

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


# --- The PDF of each signed issue ---------------------------------------------------------

# The catch-up makes at most this many PDFs a run (LibreOffice takes seconds each); the
# next run takes the rest.
PDF_BATCH = 20


def _stored(field) -> bool:
    try:
        return bool(field) and field.storage.exists(field.name)
    except OSError:
        return False


def store_issue_pdf(issue_id: int) -> str:
    """Make and keep the PDF of a signed issue (its office's file copy, every item), with
    the .docx rebuilt so that both put the 版记 on the page `pdf.fit_footer` chose.

    Safe to run twice and at once on two workers: an issue whose PDF is stored is left
    alone, and the files are recorded by a conditional update, so the second finisher
    removes its own files instead of overwriting. Returns what happened, for the log."""
    issue = Issue.objects.select_related("publication__office", "signed_by").filter(pk=issue_id).first()
    if issue is None or issue.state != IssueState.SIGNED:
        return "not signed"
    if _stored(issue.pdf):
        return "exists"
    seen = issue.pdf.name or ""  # "" or the name of a file that has gone missing
    old_docx = issue.docx.name or ""
    document = issue_document(issue, complete_copy(issue))
    where, docx_bytes, pdf_bytes = pdf.fit_footer(document)
    name = docx.issue_filename(document)
    storage = issue.pdf.storage
    issue.pdf.save(name.removesuffix(".docx") + ".pdf", ContentFile(pdf_bytes), save=False)
    issue.docx.save(name, ContentFile(docx_bytes), save=False)
    won = Issue.objects.filter(pk=issue.pk, pdf=seen).update(pdf=issue.pdf.name, docx=issue.docx.name)
    if not won:  # another run stored its files meanwhile: keep those
        storage.delete(issue.pdf.name)
        storage.delete(issue.docx.name)
        return "made elsewhere"
    if old_docx and old_docx != issue.docx.name:
        storage.delete(old_docx)
    return f"made ({where})"


@shared_task(
    name="publications.make_issue_pdf",
    autoretry_for=(OperationalError, pdf.ConversionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
)
def make_issue_pdf(issue_id: int) -> str:
    """Queued after sign-off commits (apps.py); `make_missing_pdfs` catches up what a lost
    or failed run left."""
    if not pdf.available():
        return "no LibreOffice"
    return store_issue_pdf(issue_id)


@shared_task(name="publications.make_missing_pdfs")
def make_missing_pdfs() -> list[int]:
    """The periodic catch-up: queue the PDF of signed issues that have none (newest first,
    PDF_BATCH a run). Without LibreOffice nothing is queued: the pages offer the .docx."""
    if not pdf.available():
        return []
    ids = list(
        Issue.objects.filter(state=IssueState.SIGNED, pdf="")
        .order_by("-signed_at", "-pk")
        .values_list("pk", flat=True)[:PDF_BATCH]
    )
    for pk in ids:
        make_issue_pdf.delay(pk)
    return ids


def queue_pdf_after_sign_off(sender, issue: Issue, **kwargs) -> None:
    """issue_signed receiver: the PDF is made once the sign-off has committed."""
    from django.db import transaction

    transaction.on_commit(lambda: make_issue_pdf.delay(issue.pk))
