import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from submissions import access, queries
from submissions.models import Item, State, Topic

from .helpers import act, category, draft, submitted


@pytest.mark.redis_cache
def test_desk_lists_submitted_items_newest_first_with_counts(client, writer, unit_approver, editor):
    first = submitted(writer, unit_approver, title="第一条：项目建设")
    second = submitted(writer, unit_approver, title="第二条：春耕生产")
    draft(writer, title="草稿不上编辑台")
    act(second, editor, "hold")
    client.force_login(editor)
    page = client.get(reverse("desk")).content.decode()
    assert page.index("第二条：春耕生产") < page.index("第一条：项目建设")
    assert "草稿不上编辑台" not in page
    assert '已报送 <span class="badge text-bg-secondary">1</span>' in page
    assert '备用 <span class="badge text-bg-secondary">1</span>' in page
    assert first.pk


def test_desk_filters(client, writer, unit_approver, editor, city, department):
    topic = Topic.objects.create(office=city, name="项目")
    late = submitted(writer, unit_approver, title="迟报的重大事项", category=category("major"),
                     event_date=timezone.localdate() - dt.timedelta(days=5))  # fmt: skip
    tagged = submitted(writer, unit_approver, title="带标签的信息", topics=[topic])
    plain = submitted(writer, unit_approver, title="普通的信息：农业生产", confidentiality="public")
    act(plain, editor, "hold")
    client.force_login(editor)

    def titles(**params):
        # A search marks its words in the titles (issue 18): compare the text.
        page = client.get(reverse("desk"), params).content.decode().replace("<mark>", "").replace("</mark>", "")
        return {t for t in ("迟报的重大事项", "带标签的信息", "普通的信息：农业生产") if t in page}

    assert titles(late="1") == {late.title}
    assert titles(topic=topic.pk) == {tagged.title}
    assert titles(state=State.HELD) == {plain.title}
    assert titles(q="农业") == {plain.title}
    assert titles(confidentiality="public") == {plain.title}
    assert titles(category=category("major").parent_id) == {late.title}
    assert titles(unit=department.pk) == {late.title, tagged.title, plain.title}
    today = timezone.localdate().isoformat()
    assert titles(date_from=today, date_to=today) == {late.title, tagged.title, plain.title}
    assert titles(state="nonsense") == {late.title, tagged.title, plain.title}  # a bad filter is ignored


def test_waiting_view_shows_oldest_waiting_first(client, writer, unit_approver, editor):
    old = submitted(writer, unit_approver, title="等了三天的信息")
    Item.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - dt.timedelta(days=3))
    submitted(writer, unit_approver, title="刚报送的信息")
    done = submitted(writer, unit_approver, title="已退稿的信息")
    act(done, editor, "reject", "不采用")
    client.force_login(editor)
    page = client.get(reverse("desk"), {"view": "waiting"}).content.decode()
    assert page.index("等了三天的信息") < page.index("刚报送的信息")
    assert "已退稿的信息" not in page
    assert "1 条超过2天" in page


def test_desk_refuses_non_editors(client, writer, leader, city_admin):
    for person in (writer, leader, city_admin):
        client.force_login(person)
        assert client.get(reverse("desk")).status_code == 403


@pytest.mark.redis_cache
def test_desk_query_count_is_flat(client, writer, unit_approver, editor, city, django_assert_max_num_queries):
    topic = Topic.objects.create(office=city, name="项目")
    for i in range(3):
        submitted(writer, unit_approver, title=f"信息{i}", topics=[topic])
    client.force_login(editor)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("desk"))
    for i in range(25):
        submitted(writer, unit_approver, title=f"更多信息{i}", topics=[topic])
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("desk")).content.decode()
    assert "更多信息24" in page


def test_my_items_query_count_is_flat(client, writer, django_assert_max_num_queries):
    for i in range(3):
        draft(writer, title=f"草稿{i}")
    client.force_login(writer)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("my_items"))
    for i in range(25):
        draft(writer, title=f"更多草稿{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("my_items"))


@pytest.mark.redis_cache
def test_without_the_count_trigger_desk_counts_are_cached_until_the_next_move_at_the_office(
    writer, unit_approver, editor, django_capture_on_commit_callbacks
):
    """Where no trigger keeps the counts (other databases than PostgreSQL, see
    test_desk_counts.py), the desk counts the items and caches that until a move at the
    office (Redis in CI, as in production); the bump runs after the move's commit."""
    first = submitted(writer, unit_approver, title="第一条：项目建设")

    def counts() -> dict[str, int]:
        return queries._cached_state_counts(editor.unit_id, access.desk_items(editor))

    assert counts() == {State.SUBMITTED: 1}
    # Written behind the actions' back: no move, so the cached counts stand.
    Item.objects.filter(pk=first.pk).update(state=State.HELD)
    assert counts() == {State.SUBMITTED: 1}
    with django_capture_on_commit_callbacks(execute=True):
        submitted(writer, unit_approver, title="第二条：春耕生产")
    assert counts() == {State.SUBMITTED: 1, State.HELD: 1}
