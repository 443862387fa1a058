import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from submissions import actions
from submissions.models import Item
from tests.factories import UserFactory
from units.models import Role

from .helpers import BODY, category, data, draft, submitted


def _sensitive(writer, unit_approver, leader):
    return submitted(writer, unit_approver, title="某工业园区企业欠薪引发聚集", confidentiality="sensitive",
                     named_readers=[leader])  # fmt: skip


def test_sensitive_text_is_encrypted_at_rest(writer, unit_approver, leader):
    item = _sensitive(writer, unit_approver, leader)
    with connection.cursor() as cursor:
        cursor.execute("SELECT title, body FROM submissions_item WHERE id = %s", [item.pk])
        title, body = cursor.fetchone()
        cursor.execute("SELECT title, body FROM submissions_itemversion WHERE item_id = %s", [item.pk])
        v_title, v_body = cursor.fetchone()
    for raw in (title, body, v_title, v_body):
        assert raw.startswith("sm4:") and "欠薪" not in raw and "昆明" not in raw  # the default cipher
    assert Item.objects.get(pk=item.pk).plain_title == "某工业园区企业欠薪引发聚集"
    assert "486.3亿元" in Item.objects.get(pk=item.pk).plain_body


def test_sensitive_item_is_read_only_by_office_editors_and_named_leaders(
    client, writer, colleague, unit_approver, editor, leader, city, other_editor, city_admin
):
    item = _sensitive(writer, unit_approver, leader)
    unnamed_leader = UserFactory(unit=city, roles=[Role.LEADER])
    url = reverse("item_detail", args=[item.pk])
    for person in (editor, leader, writer, unit_approver):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200 and "某工业园区企业欠薪引发聚集" in response.content.decode()
    for person in (colleague, unnamed_leader, other_editor, city_admin):
        client.force_login(person)
        assert client.get(url).status_code == 404, person.username
    client.force_login(colleague)
    assert "欠薪" not in client.get(reverse("my_items")).content.decode()


def test_sensitive_items_need_a_named_leader(client, writer, leader):
    client.force_login(writer)
    response = client.post(
        reverse("item_create"),
        {"title": "敏感信息", "body": BODY, "category": category().pk, "form": "full", "confidentiality": "sensitive"},
    )
    assert "请至少选择一位可阅读的领导" in response.content.decode()
    assert not Item.objects.exists()


def test_create_draft_refuses_a_sensitive_item_without_a_named_leader(writer, leader):
    """The rule holds for every caller of the action (emergency reports, commission
    answers, scripts), not only for the page form."""
    with pytest.raises(ValidationError) as refused:
        draft(writer, confidentiality="sensitive")
    assert refused.value.messages == [actions.SENSITIVE_NEEDS_READER]
    assert not Item.objects.exists()


def test_create_draft_says_when_the_office_has_no_leader_to_name(writer):
    with pytest.raises(ValidationError) as refused:
        draft(writer, confidentiality="sensitive")
    assert refused.value.messages == [actions.SENSITIVE_NO_LEADERS]
    assert not Item.objects.exists()


def test_update_draft_refuses_to_make_an_item_sensitive_without_a_named_leader(writer, leader):
    item = draft(writer)
    with pytest.raises(ValidationError) as refused:
        actions.update_draft(
            item=item, user=writer, data=data(confidentiality="sensitive"), expected_version=item.version
        )
    assert refused.value.messages == [actions.SENSITIVE_NEEDS_READER]
    item.refresh_from_db()
    assert item.confidentiality == "internal" and item.version == 1


def test_sensitive_items_are_left_out_of_duplicate_hints(client, writer, unit_approver, leader, editor):
    _sensitive(writer, unit_approver, leader)
    client.force_login(writer)
    page = client.post(reverse("item_check"), {"title": "某工业园区企业欠薪引发聚集", "body": BODY}).content.decode()
    assert "可能重复" not in page


def test_duplicate_hint_shows_the_matching_item(client, writer, unit_approver, colleague, other_writer):
    submitted(writer, unit_approver, title="昆明市重大项目建设提速增效")
    client.force_login(colleague)
    page = client.post(reverse("item_check"), {"title": "昆明市重大项目建设提速增效", "body": BODY}).content.decode()
    assert "可能重复" in page and "昆明市重大项目建设提速增效" in page and "100%" in page
    # Someone who may not open it is not shown its title (tests/submissions/test_duplicate_hints.py).
    client.force_login(other_writer)
    page = client.post(reverse("item_check"), {"title": "昆明市重大项目建设提速增效", "body": BODY}).content.decode()
    assert "昆明市重大项目建设提速增效" not in page
