from django.urls import reverse

from submissions.models import Item, ItemEvent, ItemVersion, State
from units.models import Notification

from .helpers import BODY, act, submitted


def _act(client, item, action, comment="", version=None):
    item.refresh_from_db()
    data = {"version": item.version if version is None else version, "comment": comment}
    return client.post(reverse("item_act", args=[item.pk, action]), data)


def _messages(client, response) -> str:
    return client.get(response.url).content.decode()


def test_editor_returns_with_comment_and_writer_unit_is_notified(
    client, writer, colleague, unit_approver, editor, django_capture_on_commit_callbacks
):
    item = submitted(writer, unit_approver)
    client.force_login(editor)
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "退回修改" in page and "退稿" in page and "备用" in page
    with django_capture_on_commit_callbacks(execute=True):
        _act(client, item, "return", "请补充与去年同期的对比数据")
    item.refresh_from_db()
    assert item.state == State.RETURNED
    event = ItemEvent.objects.get(item=item, action="return")
    assert (event.actor, event.from_state, event.to_state) == (editor, State.SUBMITTED, State.RETURNED)
    assert event.comment == "请补充与去年同期的对比数据"
    for person in (writer, colleague, unit_approver):
        assert Notification.objects.filter(recipient=person, verb="return").count() == 1
    client.force_login(writer)
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "请补充与去年同期的对比数据" in page and "退回意见" in page


def test_return_and_reject_need_their_comment(client, writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    client.force_login(editor)
    assert "请填写修改意见" in _messages(client, _act(client, item, "return"))
    assert "请填写退稿理由" in _messages(client, _act(client, item, "reject", "   "))
    item.refresh_from_db()
    assert item.state == State.SUBMITTED


def test_reject_then_any_further_move_is_illegal(client, writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    client.force_login(editor)
    _act(client, item, "reject", "与本级工作关联不大")
    item.refresh_from_db()
    assert item.state == State.REJECTED
    page = _messages(client, _act(client, item, "hold"))
    assert "不能“备用”" in page
    item.refresh_from_db()
    assert item.state == State.REJECTED


def test_hold_keeps_item_for_later(client, writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    client.force_login(editor)
    _act(client, item, "hold")
    item.refresh_from_db()
    assert item.state == State.HELD
    _act(client, item, "return", "请更新数据")
    item.refresh_from_db()
    assert item.state == State.RETURNED


def test_editor_of_another_office_is_refused(client, writer, unit_approver, other_editor, outsider):
    item = submitted(writer, unit_approver)
    for person in (other_editor, outsider):
        client.force_login(person)
        assert client.get(reverse("item_detail", args=[item.pk])).status_code == 404
        assert _act(client, item, "reject", "越权").status_code == 404
        assert client.get(reverse("item_editor_edit", args=[item.pk])).status_code == 404
        assert item.title not in client.get(reverse("desk")).content.decode()
    item.refresh_from_db()
    assert item.state == State.SUBMITTED


def test_writer_cannot_take_editor_actions(client, writer, unit_approver):
    item = submitted(writer, unit_approver)
    client.force_login(writer)
    _act(client, item, "reject", "自己退自己")
    item.refresh_from_db()
    assert item.state == State.SUBMITTED
    assert client.get(reverse("desk")).status_code == 403


def test_second_editor_acting_on_stale_page_gets_clear_message(client, writer, unit_approver, editor, city):
    from tests.factories import UserFactory
    from units.models import Role

    second = UserFactory(username="editor2", unit=city, roles=[Role.EDITOR])
    item = submitted(writer, unit_approver)
    stale_version = item.version
    client.force_login(editor)
    _act(client, item, "hold", version=stale_version)
    client.force_login(second)
    page = _messages(client, _act(client, item, "reject", "重复", version=stale_version))
    assert "刚刚已被他人修改或处理" in page
    item.refresh_from_db()
    assert item.state == State.HELD
    assert not ItemEvent.objects.filter(item=item, action="reject").exists()


def test_editor_edit_keeps_writers_original_and_both_see_the_diff(client, writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    client.force_login(editor)
    new_body = BODY.replace("486.3亿元", "486.5亿元").replace("一是强化要素保障。", "")
    response = client.post(
        reverse("item_editor_edit", args=[item.pk]),
        {"title": "昆明市重大项目建设提速", "body": new_body, "note": "核对数据、精简", "version": item.version},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW and item.title == "昆明市重大项目建设提速"
    original = ItemVersion.objects.get(item=item, number=1)
    assert original.kind == "writer" and "486.3亿元" in original.body
    for person in (editor, writer):
        client.force_login(person)
        page = client.get(reverse("item_diff", args=[item.pk])).content.decode()
        assert '<del class="gi-del">' in page and '<ins class="gi-ins">' in page


def test_editor_edit_with_stale_version_is_refused(client, writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    client.force_login(editor)
    act(item, editor, "start_review")
    response = client.post(
        reverse("item_editor_edit", args=[item.pk]),
        {"title": "覆盖", "body": "覆盖", "version": item.version - 1},
    )
    assert response.status_code == 200 and "刚刚已被他人修改" in response.content.decode()
    assert Item.objects.get(pk=item.pk).title != "覆盖"


def test_revision_after_return_makes_new_version_and_keeps_first_submitted_time(client, writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    first = item.first_submitted_at
    act(item, editor, "return", "请补充同比数据")
    client.force_login(writer)
    item.refresh_from_db()
    client.post(
        reverse("item_edit", args=[item.pk]),
        {"title": item.title, "body": BODY + "\n同比增长12.4%，高于全省平均2.1个百分点。",
         "category": item.category_id, "form": "full", "confidentiality": "internal", "version": item.version},
    )  # fmt: skip
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    item.refresh_from_db()
    assert item.state == State.SUBMITTED
    assert item.first_submitted_at == first and item.submitted_at > first
    assert list(item.versions.values_list("number", "kind")) == [(1, "writer"), (2, "writer")]
    client.force_login(editor)
    page = client.get(reverse("item_diff", args=[item.pk])).content.decode()
    assert "高于全省平均" in page and '<ins class="gi-ins">' in page


def test_item_page_shows_whole_history(client, writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    act(item, editor, "hold")
    client.force_login(writer)
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    for label in ("创建草稿", "提交审签", "审签并报送", "备用"):
        assert label in page
