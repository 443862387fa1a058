import io

import docx as python_docx
from django.urls import reverse
from django.utils import timezone

from publications import actions
from publications.models import Issue, IssueRead, IssueState
from submissions.models import State
from tests.factories import UserFactory
from units.models import Role

from .helpers import adopted, signed_issue


def _two(writer, approver, editor, publication):
    return [adopted(writer, approver, editor, publication, title=t) for t in ("第一条：项目建设", "第二条：春耕生产")]


def test_editor_composes_reorders_and_approver_signs_off(
    client, writer, unit_approver, editor, issue_approver, bulletin
):
    a1, a2 = _two(writer, unit_approver, editor, bulletin)
    client.force_login(editor)
    response = client.post(reverse("issue_create", args=[bulletin.pk]), {"adoptions": [a1.pk, a2.pk]})
    issue = Issue.objects.get()
    assert response.url == reverse("issue_detail", args=[issue.pk])
    page = client.get(response.url).content.decode()
    assert page.index("第一条：项目建设") < page.index("第二条：春耕生产")
    client.post(reverse("issue_move", args=[issue.pk]), {"adoption": a2.pk, "direction": "up"})
    page = client.get(response.url).content.decode()
    assert page.index("第二条：春耕生产") < page.index("第一条：项目建设")
    assert "签发" not in page.split('id="sign-form"')[0][-50:]  # editors do not get the sign-off form

    client.force_login(issue_approver)
    assert "草稿 #" in client.get(reverse("issue_signoff_queue")).content.decode()
    client.post(reverse("issue_sign", args=[issue.pk]), {"copies": "120"})
    issue.refresh_from_db()
    year = timezone.localdate().year
    assert issue.state == IssueState.SIGNED and (issue.year, issue.number, issue.total) == (year, 1, 345)
    assert issue.signed_by == issue_approver and issue.signed_date == timezone.localdate() and issue.copies == 120
    assert issue.label == f"{year}年第1期（总第345期）"
    for a in (a1, a2):
        a.item.refresh_from_db()
        assert a.item.state == State.PUBLISHED
    # The order is kept in the Word file too.
    document = python_docx.Document(io.BytesIO(client.get(reverse("issue_docx", args=[issue.pk])).getvalue()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.index("第二条：春耕生产") < text.rindex("第一条：项目建设")


def test_signed_issue_cannot_be_edited(client, writer, unit_approver, editor, issue_approver, bulletin):
    a1, a2 = _two(writer, unit_approver, editor, bulletin)
    issue = signed_issue(editor, issue_approver, bulletin, [a1])
    client.force_login(editor)
    for url, data in (
        ("issue_add", {"adoptions": [a2.pk]}),
        ("issue_remove", {"adoption": a1.pk}),
        ("issue_move", {"adoption": a1.pk, "direction": "down"}),
    ):
        page = client.get(client.post(reverse(url, args=[issue.pk]), data).url).content.decode()
        assert "该期已签发，不能再修改" in page
    assert list(issue.adoptions.all()) == [a1]


def test_numbers_run_per_year_and_special_issues_apart(writer, unit_approver, editor, issue_approver, bulletin):
    adoptions = [adopted(writer, unit_approver, editor, bulletin, title=f"信息{i}") for i in range(4)]
    first = signed_issue(editor, issue_approver, bulletin, adoptions[:1])
    special = actions.create_issue(publication=bulletin, user=editor, special=True)
    actions.add_to_issue(issue=special, adoptions=adoptions[1:2], user=editor)
    special = actions.sign_off_issue(issue=special, user=issue_approver)
    third = signed_issue(editor, issue_approver, bulletin, adoptions[2:3])
    assert (first.number, first.total) == (1, 345)
    assert (special.number, special.total, special.special) == (1, None, True)
    assert "增刊第1期" in special.label
    assert (third.number, third.total) == (2, 346)


def test_empty_issue_cannot_be_signed(client, editor, issue_approver, bulletin):
    issue = actions.create_issue(publication=bulletin, user=editor)
    client.force_login(issue_approver)
    page = client.get(client.post(reverse("issue_sign", args=[issue.pk])).url).content.decode()
    assert "还没有编入信息" in page
    issue.refresh_from_db()
    assert issue.state == IssueState.DRAFT and issue.number is None


def test_only_issue_approvers_sign(client, writer, unit_approver, editor, bulletin, other_city):
    a1, _ = _two(writer, unit_approver, editor, bulletin)
    issue = actions.create_issue(publication=bulletin, user=editor)
    actions.add_to_issue(issue=issue, adoptions=[a1], user=editor)
    foreign_signer = UserFactory(unit=other_city, roles=[Role.ISSUE_APPROVER])
    client.force_login(editor)
    client.post(reverse("issue_sign", args=[issue.pk]))
    client.force_login(foreign_signer)
    assert client.post(reverse("issue_sign", args=[issue.pk])).status_code == 404
    issue.refresh_from_db()
    assert issue.state == IssueState.DRAFT


def test_distribution_decides_who_reads(
    client, writer, unit_approver, editor, issue_approver, leader, bulletin, dept_leader, stranger_leader
):
    a1, _ = _two(writer, unit_approver, editor, bulletin)
    draft = actions.create_issue(publication=bulletin, user=editor)
    client.force_login(dept_leader)
    assert client.get(reverse("issue_detail", args=[draft.pk])).status_code == 404  # drafts are the office's
    issue = signed_issue(editor, issue_approver, bulletin, [a1])
    for reader in (dept_leader, leader):
        client.force_login(reader)
        assert f'href="/issues/{issue.pk}/"' in client.get(reverse("my_bulletins")).content.decode()
        assert client.get(reverse("issue_detail", args=[issue.pk])).status_code == 200
        response = client.get(reverse("issue_docx", args=[issue.pk]))
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    client.force_login(stranger_leader)
    assert client.get(reverse("issue_detail", args=[issue.pk])).status_code == 404
    assert client.get(reverse("issue_docx", args=[issue.pk])).status_code == 404
    assert f'href="/issues/{issue.pk}/"' not in client.get(reverse("my_bulletins")).content.decode()
    # read receipts for the office
    client.force_login(editor)
    page = client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    assert 'id="reads"' in page and str(dept_leader) in page
    assert IssueRead.objects.filter(issue=issue).count() >= 2


def test_outsider_editor_cannot_compose(client, writer, unit_approver, editor, other_editor, bulletin):
    a1, _ = _two(writer, unit_approver, editor, bulletin)
    issue = actions.create_issue(publication=bulletin, user=editor)
    client.force_login(other_editor)
    assert client.post(reverse("issue_add", args=[issue.pk]), {"adoptions": [a1.pk]}).status_code == 404
    assert client.post(reverse("issue_create", args=[bulletin.pk])).status_code == 404
    assert client.get(reverse("publication_detail", args=[bulletin.pk])).status_code == 404
    assert not issue.adoptions.exists()


def test_adoption_cannot_sit_in_two_issues(writer, unit_approver, editor, bulletin):
    import pytest

    from publications.actions import PublicationError

    a1, _ = _two(writer, unit_approver, editor, bulletin)
    first = actions.create_issue(publication=bulletin, user=editor)
    second = actions.create_issue(publication=bulletin, user=editor)
    actions.add_to_issue(issue=first, adoptions=[a1], user=editor)
    with pytest.raises(PublicationError, match="已编入其他期"):
        actions.add_to_issue(issue=second, adoptions=[a1], user=editor)
