"""A worker killed mid-compile leaves its run "running" (its transaction rolled back, its
message unacknowledged in Redis for hours): a starting worker queues such runs again,
and a run that is finished is never redone. bench/faults/compile_kill.py does this with
a real worker killed by SIGKILL."""

import datetime as dt

from django.utils import timezone

from publications.models import CompileRun, CompileStatus, Issue
from publications.tasks import compile_publication, resume_interrupted_compiles

from .helpers import adopted


def test_run_left_running_by_a_dead_worker_is_finished_when_a_worker_starts(writer, unit_approver, editor, daily):
    adoptions = [adopted(writer, unit_approver, editor, daily, title=t) for t in ("甲：项目", "乙：春耕")]
    run = CompileRun.objects.create(publication=daily, key="daily:2026-11-27")  # the dead worker's run
    assert resume_interrupted_compiles() == [run.pk]
    run.refresh_from_db()
    issue = Issue.objects.get()
    assert run.status == CompileStatus.DONE and run.issue == issue and run.done == 2
    assert set(issue.adoptions.all()) == set(adoptions)


def test_finished_run_delivered_again_is_left_as_it_is(writer, unit_approver, editor, daily):
    adopted(writer, unit_approver, editor, daily)
    run = CompileRun.objects.create(publication=daily, key="daily:2026-11-27")
    compile_publication(daily.pk, run.key, None, run.pk)
    compile_publication(daily.pk, run.key, None, run.pk)  # the original message, redelivered
    run.refresh_from_db()
    assert run.status == CompileStatus.DONE and Issue.objects.count() == 1
    assert resume_interrupted_compiles() == []


def test_stale_running_run_is_marked_failed_not_redone(writer, unit_approver, editor, daily):
    adopted(writer, unit_approver, editor, daily)
    run = CompileRun.objects.create(
        publication=daily, key="daily:2026-11-20", started_at=timezone.now() - dt.timedelta(days=2)
    )
    assert resume_interrupted_compiles() == []
    run.refresh_from_db()
    assert run.status == CompileStatus.FAILED and "中断" in run.message
    assert not Issue.objects.exists()
