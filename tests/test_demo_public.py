"""The demo province has something to show without login: one signed issue of its 公开
publication, holding 公开 items, on /public/ and in the feed."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from govinfo.demo import PUBLIC_PUBLICATION
from publications.models import Issue, IssueState, Publication
from submissions.models import Confidentiality, Item


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # sign-off writes the issue's Word file
    call_command("loaddemo")
    return Publication.objects.get(name=PUBLIC_PUBLICATION)


def test_visitor_finds_the_demo_public_issue_on_the_public_pages(demo, client):
    issue = Issue.objects.get(publication=demo)
    assert issue.state == IssueState.SIGNED
    titles = [a.plain_title for a in issue.adoptions.all()]
    assert len(titles) == 2
    assert all(a.item.confidentiality == Confidentiality.PUBLIC for a in issue.adoptions.all())

    index = client.get("/public/")
    assert index.status_code == 200
    assert reverse("public_publication", args=[demo.pk]) in index.text and PUBLIC_PUBLICATION in index.text
    listing = client.get(reverse("public_publication", args=[demo.pk]))
    assert listing.status_code == 200 and reverse("public_issue", args=[issue.pk]) in listing.text
    page = client.get(reverse("public_issue", args=[issue.pk]))
    assert page.status_code == 200 and all(title in page.text for title in titles)
    internal = Item.objects.exclude(confidentiality=Confidentiality.PUBLIC).values_list("title", flat=True)
    assert not any(title in page.text for title in internal)


def test_demo_public_feed_carries_the_issue(demo, client):
    issue = Issue.objects.get(publication=demo)
    feed = client.get(reverse("public_feed", args=[demo.pk]))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert reverse("public_issue", args=[issue.pk]) in body
    assert all(a.plain_title in body for a in issue.adoptions.all())


def test_loaddemo_again_signs_no_second_public_issue(demo):
    signed = list(Issue.objects.filter(publication=demo).values_list("pk", "number", "signed_at"))
    call_command("loaddemo")
    assert list(Issue.objects.filter(publication=demo).values_list("pk", "number", "signed_at")) == signed
