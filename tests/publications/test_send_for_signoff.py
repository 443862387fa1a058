"""送签: an editor hands a composed issue to the signer, who is notified, counts it on
the home page and finds it under 待签发; composing stops until it is taken back."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from publications import actions
from publications.models import Issue, IssueState
from tests.factories import UserFactory
from units.models import Notification, Role

from .helpers import adopted


@pytest.fixture
def draft(writer, unit_approver, editor, bulletin):
    """A draft issue of the city's 政务信息 with one adopted item in it."""
    issue = actions.create_issue(publication=bulletin, user=editor)
    actions.add_to_issue(issue=issue, adoptions=[adopted(writer, unit_approver, editor, bulletin)], user=editor)
    return issue


def _send(client, issue):
    return client.post(reverse("issue_send", args=[issue.pk]), follow=True)


def test_editor_sends_and_the_signer_is_notified_counts_it_and_lists_it(client, editor, issue_approver, draft):
    client.force_login(issue_approver)
    assert 'data-count="issue_signoff_queue"' not in client.get(reverse("home")).content.decode()
    queue = client.get(reverse("issue_signoff_queue")).content.decode()
    assert "没有送签待签发的期刊" in queue and "编排中（编辑尚未送签）" in queue

    client.force_login(editor)
    page = _send(client, draft).content.decode()
    assert "已送签，签发人已收到通知" in page and 'id="issue-sent"' in page
    draft.refresh_from_db()
    assert draft.is_sent and draft.sent_by == editor and draft.state == IssueState.DRAFT
    note = Notification.objects.get(verb="issue_sent")
    assert note.recipient == issue_approver and note.url == reverse("issue_detail", args=[draft.pk])
    assert AuditEntry.objects.filter(action="send_issue_for_signoff", object_id=str(draft.pk)).exists()

    client.force_login(issue_approver)
    assert 'data-count="issue_signoff_queue">1<' in client.get(reverse("home")).content.decode()
    queue = client.get(reverse("issue_signoff_queue")).content.decode()
    sent = queue.split('id="sent-issues"')[1].split("</ul>")[0]
    assert f'data-issue="{draft.pk}"' in sent and "送签" in sent
    # Signing clears the count: the issue no longer waits.
    client.post(reverse("issue_sign", args=[draft.pk]), {"copies": "10"})
    draft.refresh_from_db()
    assert draft.state == IssueState.SIGNED
    assert 'data-count="issue_signoff_queue"' not in client.get(reverse("home")).content.decode()


def test_a_sent_issue_cannot_be_changed_until_the_editor_takes_it_back(
    client, writer, unit_approver, editor, issue_approver, bulletin, draft
):
    extra = adopted(writer, unit_approver, editor, bulletin, title="另一条：夏粮收购")
    actions.send_issue_for_signoff(issue=draft, user=editor)
    client.force_login(editor)
    page = client.post(reverse("issue_add", args=[draft.pk]), {"adoptions": [extra.pk]}, follow=True)
    assert "本期已送签，请先撤回送签再修改" in page.content.decode()
    assert draft.adoptions.count() == 1
    assert "已送签，正在等待签发" in _send(client, draft).content.decode()  # not twice

    page = client.post(reverse("issue_take_back", args=[draft.pk]), follow=True).content.decode()
    assert "已撤回送签" in page
    draft.refresh_from_db()
    assert not draft.is_sent
    assert set(Notification.objects.filter(verb="issue_taken_back").values_list("recipient", flat=True)) == {
        issue_approver.pk
    }
    client.post(reverse("issue_add", args=[draft.pk]), {"adoptions": [extra.pk]})
    assert draft.adoptions.count() == 2


def test_signer_returns_a_sent_issue_only_with_a_reason(client, editor, issue_approver, draft):
    actions.send_issue_for_signoff(issue=draft, user=editor)
    client.force_login(issue_approver)
    page = client.post(reverse("issue_take_back", args=[draft.pk]), {"comment": "  "}, follow=True)
    assert "请填写退回理由" in page.content.decode()
    draft.refresh_from_db()
    assert draft.is_sent
    client.post(reverse("issue_take_back", args=[draft.pk]), {"comment": "第二条数据待核实"})
    draft.refresh_from_db()
    assert not draft.is_sent
    note = Notification.objects.get(verb="issue_taken_back")
    assert note.recipient == editor and "第二条数据待核实" in note.body


def test_an_empty_issue_cannot_be_sent(client, editor, bulletin):
    issue = actions.create_issue(publication=bulletin, user=editor)
    client.force_login(editor)
    assert "本期还没有编入信息，不能送签" in _send(client, issue).content.decode()
    assert not Issue.objects.get(pk=issue.pk).is_sent


def test_only_the_offices_editors_send_and_only_its_people_take_back(
    client, editor, issue_approver, other_editor, leader, draft, city
):
    for person in (other_editor, leader, issue_approver):  # another office; a reader; the signer
        client.force_login(person)
        assert client.post(reverse("issue_send", args=[draft.pk])).status_code == 404
    assert not Issue.objects.get(pk=draft.pk).is_sent
    actions.send_issue_for_signoff(issue=draft, user=editor)
    other_signer = UserFactory(username="other_signer", unit=other_editor.unit, roles=[Role.ISSUE_APPROVER])
    for person in (other_editor, other_signer, leader):
        client.force_login(person)
        response = client.post(reverse("issue_take_back", args=[draft.pk]), {"comment": "不行"})
        assert response.status_code == 404
    assert Issue.objects.get(pk=draft.pk).is_sent
    assert client.get(reverse("issue_signoff_queue")).status_code == 403  # a leader has no queue


def test_the_signer_may_still_sign_a_draft_nobody_sent(client, issue_approver, draft):
    """Compiled digests are signed as they are; 送签 is the handover, not a gate."""
    client.force_login(issue_approver)
    client.post(reverse("issue_sign", args=[draft.pk]), {"copies": "5"})
    assert Issue.objects.get(pk=draft.pk).state == IssueState.SIGNED


def test_signing_submitting_and_rejecting_ask_for_confirmation(
    client, writer, unit_approver, editor, issue_approver, draft
):
    client.force_login(issue_approver)
    page = client.get(reverse("issue_detail", args=[draft.pk])).content.decode()
    sign_form = page.split('id="sign-form"')[1].split(">")[0]
    assert "data-confirm=" in sign_form and "不能撤销" in sign_form
    assert "/static/js/confirm.js" in page

    from tests.submissions.helpers import submitted

    item = submitted(writer, unit_approver, title="待审：城市更新")
    client.force_login(editor)
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    reject = page.split('data-action="reject"')[1].split(">")[0]
    assert "data-confirm=" in reject and "确定退稿" in reject
    assert "开始编辑（认领本条）" in page and 'id="help-start-review"' in page
    assert "编辑修改正文" in page and 'id="help-editor-edit"' in page


# --- The same through the API -------------------------------------------------------------


def _api(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_sends_and_takes_back_as_the_page_does(editor, issue_approver, other_editor, draft):
    send = reverse("api-issue-send", args=[draft.pk])
    take_back = reverse("api-issue-take-back", args=[draft.pk])
    assert _api(other_editor).post(send, {}, format="json").status_code == 404
    assert _api(issue_approver).post(send, {}, format="json").status_code == 404  # signers do not send
    response = _api(editor).post(send, {}, format="json")
    assert response.status_code == 200 and Issue.objects.get(pk=draft.pk).is_sent
    assert response.json()["sent_at"] and response.json()["sent_by"] == str(editor)
    assert Notification.objects.filter(verb="issue_sent", recipient=issue_approver).exists()
    again = _api(editor).post(send, {}, format="json")
    assert again.status_code == 409 and again.json()["message"] == "本期已送签，正在等待签发。"

    assert _api(other_editor).post(take_back, {"comment": "x"}, format="json").status_code == 404
    no_reason = _api(issue_approver).post(take_back, {}, format="json")
    assert no_reason.status_code == 400 and "请填写退回理由" in str(no_reason.json())
    returned = _api(issue_approver).post(take_back, {"comment": "数据待核实"}, format="json")
    assert returned.status_code == 200 and not Issue.objects.get(pk=draft.pk).is_sent
