"""The desk's state counts come from the count rows a trigger keeps (migration 0007), not
from a scan of every item the office ever received, and are right the moment a change
commits, whoever makes it: the actions, an UPDATE behind their back, a bulk script."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from submissions import access, queries
from submissions.models import DeskCount, Item, State

from .helpers import act, draft, submitted

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the count trigger is PostgreSQL's")


def scanned(editor) -> dict[str, int]:
    return queries.state_counts(access.desk_items(editor))


def kept(editor) -> dict[str, int]:
    return queries.desk_counts(editor.unit_id, access.desk_items(editor))


def test_counts_follow_the_actions_and_changes_behind_their_back(writer, unit_approver, editor, other_city):
    first = submitted(writer, unit_approver, title="第一条：项目建设")
    second = submitted(writer, unit_approver, title="第二条：春耕生产")
    third = submitted(writer, unit_approver, title="第三条：旅游发展")
    draft(writer, title="草稿不上编辑台")
    assert kept(editor) == scanned(editor) == {State.SUBMITTED: 3}
    act(second, editor, "hold")
    act(third, editor, "return", comment="请补充数据")
    assert kept(editor) == scanned(editor) == {State.SUBMITTED: 1, State.HELD: 1, State.RETURNED: 1}
    # Behind the actions' back: a bulk UPDATE, an office change, a submission time cleared.
    Item.objects.filter(pk__in=[first.pk, second.pk]).update(state=State.ADOPTED)
    assert kept(editor) == scanned(editor) == {State.ADOPTED: 2, State.RETURNED: 1}
    Item.objects.filter(pk=first.pk).update(office=other_city)
    assert kept(editor) == scanned(editor) == {State.ADOPTED: 1, State.RETURNED: 1}
    assert queries.desk_counts(other_city.pk, Item.objects.none()) == {State.ADOPTED: 1}
    Item.objects.filter(pk=third.pk).update(submitted_at=None)
    assert kept(editor) == scanned(editor) == {State.ADOPTED: 1}
    Item.objects.filter(pk=second.pk).delete()
    assert kept(editor) == scanned(editor) == {}


def test_an_edit_that_moves_nothing_writes_no_count_row(writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    before = DeskCount.objects.count()
    Item.objects.filter(pk=item.pk).update(title="改过的标题", state=State.SUBMITTED)
    assert DeskCount.objects.count() == before


def test_reading_the_counts_does_not_touch_the_items(writer, unit_approver, editor):
    submitted(writer, unit_approver)
    with CaptureQueriesContext(connection) as ctx:
        assert kept(editor) == {State.SUBMITTED: 1}
    assert ctx.captured_queries and not any("submissions_item" in q["sql"] for q in ctx.captured_queries)


def test_many_moves_fold_into_one_row_per_state_with_the_same_counts(writer, unit_approver, editor, monkeypatch):
    items = [submitted(writer, unit_approver, title=f"第{i}条：项目建设") for i in range(3)]
    for _ in range(4):
        Item.objects.filter(pk__in=[i.pk for i in items]).update(state=State.HELD)
        Item.objects.filter(pk__in=[i.pk for i in items]).update(state=State.SUBMITTED)
    act(items[0], editor, "hold")
    rows = DeskCount.objects.filter(office_id=editor.unit_id)
    assert rows.count() > 10
    monkeypatch.setattr(queries, "DESK_COUNT_FOLD_AT", 10)
    assert kept(editor) == {State.SUBMITTED: 2, State.HELD: 1}
    assert sorted(rows.values_list("state", "n")) == [(State.HELD, 1), (State.SUBMITTED, 2)]
    assert kept(editor) == scanned(editor) == {State.SUBMITTED: 2, State.HELD: 1}


def test_the_desk_shows_a_move_at_once(client, writer, unit_approver, editor):
    first = submitted(writer, unit_approver, title="第一条：项目建设")
    client.force_login(editor)
    assert '已报送 <span class="badge text-bg-secondary">1</span>' in client.get(reverse("desk")).content.decode()
    act(first, editor, "hold")
    page = client.get(reverse("desk")).content.decode()
    assert '已报送 <span class="badge text-bg-secondary">0</span>' in page
    assert '备用 <span class="badge text-bg-secondary">1</span>' in page
