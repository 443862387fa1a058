"""Composing an issue from items another editor has just put into theirs: the editor is
told, and no empty draft issue is left behind (bench/faults/concurrent_numbering.py
races this for real over HTTP)."""

from django.urls import reverse

from publications import actions
from publications.models import Issue

from .helpers import adopted


def test_composing_items_already_taken_leaves_no_empty_issue(client, writer, unit_approver, editor, bulletin):
    adoption = adopted(writer, unit_approver, editor, bulletin)
    theirs = actions.create_issue(publication=bulletin, user=editor)
    actions.add_to_issue(issue=theirs, adoptions=[adoption], user=editor)  # the other editor was faster
    client.force_login(editor)
    response = client.post(reverse("issue_create", args=[bulletin.pk]), {"adoptions": [adoption.pk]}, follow=True)
    assert "所选信息已被编入其他期" in response.content.decode()
    assert list(Issue.objects.all()) == [theirs]
