"""Adopt, publish and withdraw move an item through the transition table, with the same
state, role and version checks as every other move (issue 13)."""

import pytest
from django.db.models import F
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEntry
from publications import actions
from submissions import actions as item_actions
from submissions.actions import ConcurrentChange
from submissions.models import Item, ItemEvent, State
from submissions.workflow import ADOPTABLE, MOVES, TRANSITIONS, TransitionError
from tests.submissions.helpers import submitted

from .helpers import adopted, signed_issue


def _published(writer, unit_approver, editor, issue_approver, publication, **overrides) -> Item:
    adoption = adopted(writer, unit_approver, editor, publication, **overrides)
    signed_issue(editor, issue_approver, publication, [adoption])
    return Item.objects.get(pk=adoption.item_id)


def test_publication_acts_are_in_the_table_without_a_button(writer, unit_approver, editor, bulletin):
    assert {"adopt", "publish", "unadopt"} <= set(MOVES) and not {"adopt", "publish", "unadopt"} & set(TRANSITIONS)
    assert MOVES["adopt"].sources == ADOPTABLE
    item = adopted(writer, unit_approver, editor, bulletin).item
    item.refresh_from_db()
    assert not {t.action for t in item_actions.transitions_for(item, editor)} & {"adopt", "publish", "unadopt"}
    with pytest.raises(TransitionError):  # not an act of the item page
        item_actions.transition(item=item, user=editor, action="unadopt", expected_version=item.version)


def test_composite_page_offers_a_published_item_as_the_api_takes_it(
    client, writer, unit_approver, editor, issue_approver, bulletin, daily, colleague
):
    """The page left 已刊发 out of the composite candidates; the API and the act took it."""
    published = _published(writer, unit_approver, editor, issue_approver, daily, title="已刊发的甲县春耕")
    other = submitted(colleague, unit_approver, title="乙县春耕")
    client.force_login(editor)
    page = client.get(reverse("composite", args=[bulletin.pk])).content.decode()
    assert "已刊发的甲县春耕" in page and "乙县春耕" in page
    api = APIClient()
    api.force_authenticate(editor)
    response = api.post(
        reverse("api-publication-composite", args=[bulletin.pk]),
        {"items": [published.pk, other.pk], "title": "全市春耕", "body": "综合正文"},
        format="json",
    )
    assert response.status_code == 201
    published.refresh_from_db()
    assert published.state == State.PUBLISHED  # adopted again, it stays published


def test_publishing_refuses_an_item_changed_since_it_was_read(writer, unit_approver, editor, issue_approver, bulletin):
    item = adopted(writer, unit_approver, editor, bulletin).item
    item.refresh_from_db()
    Item.objects.filter(pk=item.pk).update(version=F("version") + 1)  # someone else, meanwhile
    with pytest.raises(ConcurrentChange):
        item_actions.record_publication(item=item, user=issue_approver, note="")
    assert Item.objects.get(pk=item.pk).state == State.ADOPTED


def test_withdrawal_refuses_an_item_changed_since_it_was_read(writer, unit_approver, editor, bulletin):
    item = adopted(writer, unit_approver, editor, bulletin).item
    item.refresh_from_db()
    Item.objects.filter(pk=item.pk).update(version=F("version") + 1)
    with pytest.raises(ConcurrentChange):
        item_actions.record_withdrawal(item=item, user=editor, note="有误", still_adopted=False)
    assert Item.objects.get(pk=item.pk).state == State.ADOPTED


def test_only_the_offices_issue_approver_publishes_and_only_adopted_items(
    writer, unit_approver, editor, issue_approver, bulletin
):
    item = adopted(writer, unit_approver, editor, bulletin).item
    item.refresh_from_db()
    with pytest.raises(TransitionError):
        item_actions.record_publication(item=item, user=editor, note="")
    fresh = submitted(writer, unit_approver)
    with pytest.raises(TransitionError):
        item_actions.record_publication(item=fresh, user=issue_approver, note="")
    with pytest.raises(TransitionError):
        item_actions.record_withdrawal(item=fresh, user=editor, note="", still_adopted=False)


def test_withdrawal_writes_the_same_event_and_audit_entry(writer, unit_approver, editor, bulletin):
    adoption = adopted(writer, unit_approver, editor, bulletin)
    actions.withdraw_adoption(adoption=adoption, user=editor, reason="数据有误")
    event = ItemEvent.objects.get(item=adoption.item, action="unadopt")
    assert (event.from_state, event.to_state, event.comment) == (State.ADOPTED, State.IN_REVIEW, "数据有误")
    entry = AuditEntry.objects.get(model="submissions.item", object_id=str(adoption.item_id), action="unadopt")
    assert entry.changes == {"state": [State.ADOPTED, State.IN_REVIEW]}
