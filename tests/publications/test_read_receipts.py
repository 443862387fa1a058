"""Read receipts (领导坚持阅批信息): the office sees every leader on the distribution list as
已阅 or 未阅, and only recipients count as readers — not the editors who made the issue."""

from django.urls import reverse

from publications.models import IssueRead
from tests.factories import UserFactory
from units.models import Role

from .helpers import adopted, signed_issue


def _receipts(page: str) -> str:
    return page.split('id="reads-count"')[1].split("</div></div>")[0]


def test_office_sees_which_leaders_have_read_and_which_have_not(
    client, writer, unit_approver, editor, issue_approver, leader, bulletin, dept_leader, province
):
    prov_leader = UserFactory(username="prov_leader", unit=province, roles=[Role.LEADER])
    issue = signed_issue(editor, issue_approver, bulletin, [adopted(writer, unit_approver, editor, bulletin)])
    client.force_login(dept_leader)
    client.get(reverse("issue_detail", args=[issue.pk]))
    client.force_login(writer)  # a recipient who is not a leader
    client.get(reverse("issue_detail", args=[issue.pk]))

    client.force_login(editor)
    card = _receipts(client.get(reverse("issue_detail", args=[issue.pk])).content.decode())
    assert "领导已阅 1 人，未阅 2 人" in card
    row = {name: card.split(f'data-reader="{name}"')[1].split("</li>")[0] for name in
           ("dept_leader", leader.username, "prov_leader")}  # fmt: skip
    assert "已阅" in row["dept_leader"] and "未阅" not in row["dept_leader"]
    assert "未阅" in row[leader.username] and "未阅" in row["prov_leader"]
    assert f'data-reader="{writer.username}"' in card  # other recipients who read are listed too

    client.force_login(prov_leader)
    client.get(reverse("issue_detail", args=[issue.pk]))
    client.force_login(issue_approver)
    page = client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    assert "领导已阅 2 人，未阅 1 人" in _receipts(page)


def test_editors_and_approvers_of_the_office_are_not_counted_as_readers(
    client, writer, unit_approver, editor, issue_approver, leader, bulletin
):
    issue = signed_issue(editor, issue_approver, bulletin, [adopted(writer, unit_approver, editor, bulletin)])
    for person in (editor, issue_approver):
        client.force_login(person)
        card = _receipts(client.get(reverse("issue_detail", args=[issue.pk])).content.decode())
        assert f'data-reader="{editor.username}"' not in card and f'data-reader="{issue_approver.username}"' not in card
    assert not IssueRead.objects.filter(issue=issue).exists()
    client.force_login(leader)  # the office's own leader is a reader
    client.get(reverse("issue_detail", args=[issue.pk]))
    assert list(IssueRead.objects.filter(issue=issue).values_list("reader__username", flat=True)) == [leader.username]


def test_readers_do_not_see_the_receipts(client, writer, unit_approver, editor, issue_approver, bulletin, dept_leader):
    issue = signed_issue(editor, issue_approver, bulletin, [adopted(writer, unit_approver, editor, bulletin)])
    client.force_login(dept_leader)
    assert 'id="reads"' not in client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
