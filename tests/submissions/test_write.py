import pytest
from django.urls import reverse

from submissions.forms import VERSION_REFUSED
from submissions.models import Item, ItemEvent, State

from .helpers import BODY, category, draft


def _post(client, **overrides):
    data = {
        "title": "昆明市重大项目建设提速增效",
        "body": BODY,
        "category": category().pk,
        "form": "full",
        "confidentiality": "internal",
        "event_date": "2026-11-20",
        "writers": "张三",
        "phone": "0871-12345678",
    }
    data.update(overrides)
    return client.post(reverse("item_create"), data)


def test_writer_saves_a_draft(client, writer):
    client.force_login(writer)
    assert client.get(reverse("item_create")).status_code == 200
    response = _post(client)
    item = Item.objects.get()
    assert response.status_code == 302 and response.url == reverse("item_detail", args=[item.pk])
    assert item.state == State.DRAFT and item.unit == writer.unit and item.office == writer.unit.parent
    assert item.signature == writer.unit.name
    assert ItemEvent.objects.filter(item=item, action="create").exists()
    page = client.get(response.url).content.decode()
    assert "昆明市重大项目建设提速增效" in page and "草稿" in page


def test_empty_title_is_refused_and_typing_kept(client, writer):
    client.force_login(writer)
    response = _post(client, title="", body="正文内容保留在表单里")
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写标题" in body and "正文内容保留在表单里" in body
    assert not Item.objects.exists()


def test_secret_confidentiality_is_refused_with_pointer_to_confidential_channel(client, writer):
    client.force_login(writer)
    response = _post(client, confidentiality="secret")
    assert "机要渠道" in response.content.decode()
    assert not Item.objects.exists()


def test_secret_marking_in_text_is_refused(client, writer):
    client.force_login(writer)
    response = _post(client, body="机密★1年\n" + BODY)
    assert response.status_code == 200
    assert "涉密信息严禁通过本系统报送" in response.content.decode()
    assert not Item.objects.exists()


def test_bad_date_is_refused_in_chinese(client, writer):
    client.force_login(writer)
    response = _post(client, event_date="2026-13-45")
    assert "请输入有效的日期" in response.content.decode()
    assert not Item.objects.exists()


def test_only_staff_may_write(client, editor, unit_approver):
    for person in (editor, unit_approver):
        client.force_login(person)
        assert client.get(reverse("item_create")).status_code == 403
        assert _post(client).status_code == 403
    assert not Item.objects.exists()


def test_writer_edits_own_draft_but_outsider_cannot(client, writer, other_writer, outsider):
    item = draft(writer)
    client.force_login(writer)
    url = reverse("item_edit", args=[item.pk])
    data = {"title": "新标题：项目建设提速", "body": BODY, "category": category().pk, "form": "full",
            "confidentiality": "internal", "version": item.version}  # fmt: skip
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.title == "新标题：项目建设提速"
    for person in (other_writer, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {**data, "title": "篡改"}).status_code == 404
        assert client.get(reverse("item_detail", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.title == "新标题：项目建设提速"


def test_live_check_flags_first_person_words(client, writer):
    client.force_login(writer)
    response = client.post(reverse("item_check"), {"title": "我市项目建设提速", "body": "我市" + BODY})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="first_person"' in body and "我市" in body


def test_live_check_of_clean_text_finds_nothing(client, writer):
    client.force_login(writer)
    body = client.post(
        reverse("item_check"), {"title": "昆明市重大项目建设提速增效", "body": BODY * 2}
    ).content.decode()
    assert 'data-code="clean"' in body


def test_my_items_lists_the_units_items_with_filters(client, writer, colleague, other_writer):
    draft(writer, title="甲：项目建设")
    draft(colleague, title="乙：春耕生产")
    draft(other_writer, title="丙：外单位信息")
    client.force_login(writer)
    body = client.get(reverse("my_items")).content.decode()
    assert "甲：项目建设" in body and "乙：春耕生产" in body and "丙：外单位信息" not in body
    body = client.get(reverse("my_items"), {"q": "春耕"}).content.decode()
    assert "乙：<mark>春耕</mark>生产" in body and "甲：项目建设" not in body  # found and marked


def test_my_items_is_refused_to_people_outside_a_unit_role(client, editor):
    client.force_login(editor)
    assert client.get(reverse("my_items")).status_code == 403


def test_live_check_will_not_reveal_another_units_item(client, writer, other_writer):
    item = draft(writer)
    client.force_login(other_writer)
    response = client.post(reverse("item_check"), {"title": "x", "body": "y", "item_id": item.pk})
    assert response.status_code == 404


def test_anonymous_cannot_use_item_pages(client, writer):
    item = draft(writer)
    for url in (reverse("item_detail", args=[item.pk]), reverse("desk"), reverse("my_items"), reverse("item_create")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("version", [None, "", "abc", "²"])
def test_edit_without_a_valid_version_is_refused_and_typing_kept(client, writer, version):
    """A post that does not say which version it edits (stale page, crafted request)
    must not overwrite whatever the item holds now."""
    item = draft(writer)
    client.force_login(writer)
    data = {"title": "未带版本号的修改", "body": "这段正文应当保留在表单里", "category": category().pk,
            "form": "full", "confidentiality": "internal"}  # fmt: skip
    if version is not None:
        data["version"] = version
    response = client.post(reverse("item_edit", args=[item.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert VERSION_REFUSED in page
    assert "未带版本号的修改" in page and "这段正文应当保留在表单里" in page
    item.refresh_from_db()
    assert item.plain_title == "昆明市重大项目建设提速增效" and item.version == 1
