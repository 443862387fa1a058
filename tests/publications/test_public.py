from django.urls import reverse

from .helpers import adopted, signed_issue


def test_public_publication_shows_only_public_items_without_login(
    client, writer, unit_approver, editor, issue_approver, bulletin
):
    bulletin.is_public = True
    bulletin.save()
    shown = adopted(writer, unit_approver, editor, bulletin, title="公开的信息：便民服务", confidentiality="public")
    hidden = adopted(writer, unit_approver, editor, bulletin, title="内部的信息：工作部署")
    issue = signed_issue(editor, issue_approver, bulletin, [shown, hidden])
    client.logout()
    assert "政务信息" in client.get(reverse("public_index")).content.decode()
    listing = client.get(reverse("public_publication", args=[bulletin.pk])).content.decode()
    assert issue.label in listing
    page = client.get(reverse("public_issue", args=[issue.pk])).content.decode()
    assert "公开的信息：便民服务" in page and "内部的信息：工作部署" not in page
    feed = client.get(reverse("public_feed", args=[bulletin.pk]))
    body = feed.content.decode()
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "公开的信息：便民服务" in body and "内部的信息" not in body


def test_non_public_publication_and_drafts_stay_hidden(client, writer, unit_approver, editor, issue_approver, bulletin):
    a = adopted(writer, unit_approver, editor, bulletin, confidentiality="public")
    issue = signed_issue(editor, issue_approver, bulletin, [a])
    client.logout()
    assert client.get(reverse("public_publication", args=[bulletin.pk])).status_code == 404
    assert client.get(reverse("public_issue", args=[issue.pk])).status_code == 404
    assert client.get(reverse("public_feed", args=[bulletin.pk])).status_code == 404
    assert client.get(reverse("issue_detail", args=[issue.pk])).status_code == 302  # to login


def test_issues_without_public_items_stay_out_of_the_archive_and_feed(
    client, writer, unit_approver, editor, issue_approver, bulletin
):
    bulletin.is_public = True
    bulletin.save()
    shown = adopted(writer, unit_approver, editor, bulletin, title="公开的信息：便民服务", confidentiality="public")
    with_public = signed_issue(editor, issue_approver, bulletin, [shown])
    internal = adopted(writer, unit_approver, editor, bulletin, title="内部的信息：工作部署")
    internal_only = signed_issue(editor, issue_approver, bulletin, [internal])
    client.logout()
    listing = client.get(reverse("public_publication", args=[bulletin.pk])).content.decode()
    assert with_public.label in listing and internal_only.label not in listing
    feed = client.get(reverse("public_feed", args=[bulletin.pk])).content.decode()
    assert with_public.label in feed and internal_only.label not in feed
    assert client.get(reverse("public_issue", args=[internal_only.pk])).status_code == 404
