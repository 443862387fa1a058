"""Changes made by Celery tasks are the system's: no actor, shown as “系统”."""

import pytest
from django.test import RequestFactory

from audit import context
from audit.models import SYSTEM_ACTOR, AuditEntry
from publications.models import Issue
from publications.tasks import compile_due_bulletins, compile_publication
from tests.publications.helpers import adopted

from .helpers import entries_for, mark, since


def test_scheduled_compile_is_recorded_as_the_system(writer, unit_approver, editor, daily):
    adoption = adopted(writer, unit_approver, editor, daily)
    start = mark()
    compile_due_bulletins("2026-11-27")
    issue = Issue.objects.get()
    created = entries_for(issue)[0]
    assert created.action == "create" and created.actor is None and created.actor_name == SYSTEM_ACTOR
    assert created.actor_unit is None and created.ip is None and created.path == ""
    assert created.unit_id == daily.office_id and created.changes["compile_key"] == [None, "daily:2026-11-27"]
    added = since(start).get(model="publications.adoption", object_id=str(adoption.pk))
    assert added.action == "add_to_issue" and added.actor is None and added.changes["issue"] == [None, issue.pk]


def test_task_run_eagerly_inside_a_request_still_acts_as_the_system(
    rf: RequestFactory, writer, unit_approver, editor, city, daily
):
    adopted(writer, unit_approver, editor, daily)
    request = rf.post("/somewhere/")
    request.user = editor
    with context.for_request(request):
        city.short_name = "春城"
        city.save()
        compile_publication.delay(daily.pk, "manual:1")  # eager in tests: runs right here
        city.short_name = "昆明市"
        city.save()
    by_person = AuditEntry.objects.filter(model="units.unit", action="update").order_by("pk")
    assert [e.actor for e in by_person] == [editor, editor]  # the request's person before and after
    created = entries_for(Issue.objects.get())[0]
    assert created.action == "create" and created.actor is None and created.path == ""


@pytest.mark.worker
def test_real_worker_records_its_changes_with_no_actor(live_worker, writer, unit_approver, editor, daily):
    adoption = adopted(writer, unit_approver, editor, daily)
    result = compile_publication.apply_async((daily.pk, "daily:2026-11-27"), queue=live_worker)
    assert result.get(timeout=90).startswith("done")
    issue = Issue.objects.get()
    created = entries_for(issue)[0]
    assert created.action == "create" and created.actor is None and created.actor_name == SYSTEM_ACTOR
    added = AuditEntry.objects.get(model="publications.adoption", object_id=str(adoption.pk), action="add_to_issue")
    assert added.actor is None
