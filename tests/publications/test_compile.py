import threading

import pytest
from django.db import connections
from django.urls import reverse

from publications import actions
from publications.models import CompileRun, CompileStatus, Issue, IssueState
from publications.tasks import compile_due_bulletins, compile_publication
from tests.waiting import wait_for

from .helpers import adopted


def test_daily_task_compiles_once_even_when_run_twice(writer, unit_approver, editor, daily):
    for title in ("甲：项目", "乙：春耕"):
        adopted(writer, unit_approver, editor, daily, title=title)
    compile_due_bulletins("2026-11-27")
    compile_due_bulletins("2026-11-27")
    issue = Issue.objects.get()
    assert issue.state == IssueState.DRAFT and issue.compile_key == "daily:2026-11-27"
    assert issue.adoptions.count() == 2
    statuses = sorted(CompileRun.objects.values_list("status", flat=True))
    assert statuses == [CompileStatus.DONE, CompileStatus.SKIPPED]


def test_holiday_compiles_nothing(writer, unit_approver, editor, daily):
    adopted(writer, unit_approver, editor, daily)
    assert compile_due_bulletins("2026-10-01") == []
    assert not Issue.objects.exists()


def test_empty_day_makes_no_issue_but_is_reported(client, editor, daily):
    compile_due_bulletins("2026-11-27")
    assert not Issue.objects.exists()
    run = CompileRun.objects.get()
    assert run.status == CompileStatus.EMPTY
    client.force_login(editor)
    assert "没有新采用的信息" in client.get(reverse("publication_detail", args=[daily.pk])).content.decode()


def test_next_run_catches_up_what_a_lost_run_left(writer, unit_approver, editor, daily):
    adopted(writer, unit_approver, editor, daily, title="周四采用")
    # Thursday's run was lost; Friday's gathers everything since the last issue.
    compile_due_bulletins("2026-11-27")
    assert Issue.objects.get().adoptions.get().plain_title == "周四采用"


def test_editor_compiles_by_hand_and_sees_progress(
    client, writer, unit_approver, editor, daily, django_capture_on_commit_callbacks
):
    adopted(writer, unit_approver, editor, daily)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("compile_now", args=[daily.pk]))
    page = client.get(response.url).content.decode()
    assert 'data-status="done"' in page and "1 / 1" in page and "查看本期" in page


def test_outsider_cannot_compile_or_watch(client, other_editor, writer, daily):
    client.force_login(other_editor)
    assert client.post(reverse("compile_now", args=[daily.pk])).status_code == 404
    run = CompileRun.objects.create(publication=daily, key="x")
    assert client.get(reverse("compile_run", args=[run.pk])).status_code == 404
    client.force_login(writer)
    assert client.post(reverse("compile_now", args=[daily.pk])).status_code == 404


def _at_once(*functions):
    errors = []
    barrier = threading.Barrier(len(functions))

    def run(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # collected and re-raised below
            errors.append(exc)
        finally:
            connections.close_all()  # a thread's connection would block dropping the test database

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_workers_compiling_at_once_make_one_issue(writer, unit_approver, editor, daily):
    for i in range(5):
        adopted(writer, unit_approver, editor, daily, title=f"信息{i}")
    errors = _at_once(*[lambda: actions.compile_issue(publication=daily, key="daily:2026-11-27")] * 2)
    assert not errors
    issue = Issue.objects.get()
    assert issue.adoptions.count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_approvers_signing_at_once_get_consecutive_numbers(writer, unit_approver, editor, issue_approver, daily):
    from tests.factories import UserFactory
    from units.models import Role

    second_signer = UserFactory(unit=issue_approver.unit, roles=[Role.ISSUE_APPROVER])
    issues = []
    for i in range(2):
        a = adopted(writer, unit_approver, editor, daily, title=f"信息{i}")
        issue = actions.create_issue(publication=daily, user=editor)
        actions.add_to_issue(issue=issue, adoptions=[a], user=editor)
        issues.append(issue)
    errors = _at_once(
        lambda: actions.sign_off_issue(issue=issues[0], user=issue_approver),
        lambda: actions.sign_off_issue(issue=issues[1], user=second_signer),
    )
    assert not errors
    assert sorted(Issue.objects.values_list("number", flat=True)) == [1, 2]
    assert sorted(Issue.objects.values_list("total", flat=True)) == [1, 2]


@pytest.mark.worker
def test_real_worker_runs_the_compile_task_twice_into_one_issue(live_worker, writer, unit_approver, editor, daily):
    for i in range(3):
        adopted(writer, unit_approver, editor, daily, title=f"信息{i}")
    results = [compile_publication.apply_async((daily.pk, "daily:2026-11-27"), queue=live_worker) for _ in range(2)]
    outcomes = sorted(r.get(timeout=90).split(":")[0] for r in results)
    assert outcomes == ["done", "skipped"]
    wait_for(Issue.objects.exists, timeout=5, what="the worker's issue is visible")
    assert Issue.objects.get().adoptions.count() == 3
