"""Downloads carry the extension of what the file is, signed-in pages and downloads are not
cached, a 敏感 item's file names stay out of its history, and the API answers its own 404."""

import datetime as dt
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from publications.instructions import actions as ins
from publications.models import FeedbackAttachment, InstructionHandler, InstructionLevel
from submissions import actions
from submissions.models import Attachment, Confidentiality, ItemEvent
from tests.publications.helpers import adopted, signed_issue
from tests.submissions.helpers import draft
from tests.submissions.pdf_files import minimal_pdf


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def published(writer, unit_approver, editor, issue_approver, bulletin):
    adoption = adopted(writer, unit_approver, editor, bulletin)
    issue = signed_issue(editor, issue_approver, bulletin, [adoption])
    adoption.item.refresh_from_db()
    return adoption.item, issue


def _filename(response) -> str:
    disposition = response["Content-Disposition"]
    if "filename*=" in disposition:
        return unquote(disposition.split("filename*=", 1)[1].split("''", 1)[1])
    return disposition.split('filename="', 1)[1].rstrip('"')


def _upload(client, item, name: str, content: bytes):
    return client.post(reverse("attachment_add", args=[item.pk]), {"file": SimpleUploadedFile(name, content)})


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# --- The extension of what the file is ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "served"), [("x.html", "x.pdf"), ("情况报告.exe", "情况报告.pdf"), ("扫描件", "扫描件.pdf")]
)
def test_pdf_uploaded_under_another_extension_downloads_as_pdf(client, writer, name, served):
    item = draft(writer)
    client.force_login(writer)
    assert _upload(client, item, name, minimal_pdf()).status_code == 302
    attachment = Attachment.objects.get(item=item)
    for url in (
        reverse("attachment_download", args=[attachment.pk]),
        reverse("api-item-attachment-download", args=[item.pk, attachment.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert _filename(response) == served
        assert b"".join(response.streaming_content) == minimal_pdf()


def test_name_with_the_right_extension_is_kept(client, writer):
    item = draft(writer)
    client.force_login(writer)
    _upload(client, item, "统计表.PDF", minimal_pdf())
    attachment = Attachment.objects.get(item=item)
    assert _filename(client.get(reverse("attachment_download", args=[attachment.pk]))) == "统计表.PDF"


def test_feedback_attachment_downloads_with_the_extension_of_its_content(client, leader, writer, editor, published):
    item, issue = published
    level = InstructionLevel.objects.get_or_create(name="省政府领导", defaults={"order": 1})[0]
    today = timezone.localdate()
    instruction = ins.make_instruction(
        item=item, issue=issue, user=leader, leader_name="", level=level.name, text="请认真研究落实。",
        date=today, deadline=today + dt.timedelta(days=7), units=[item.unit],
    )  # fmt: skip
    handler = InstructionHandler.objects.get(instruction=instruction)
    ins.report_feedback(
        handler=handler, user=writer, text="已研究落实。", files=[SimpleUploadedFile("办理情况.html", minimal_pdf())]
    )
    attachment = FeedbackAttachment.objects.get(handler=handler)
    client.force_login(editor)
    response = client.get(reverse("feedback_attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert _filename(response) == "办理情况.pdf"
    assert _no_store(response)


# --- Cache-Control ------------------------------------------------------------------------


def test_signed_in_pages_and_downloads_are_not_stored(client, writer, editor, published):
    item, issue = published
    client.force_login(writer)
    for url in (reverse("home"), reverse("item_detail", args=[item.pk]), reverse("api-me")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url
    client.force_login(editor)
    docx = client.get(reverse("issue_docx", args=[issue.pk]))
    assert docx.status_code == 200 and _no_store(docx)

    mine = draft(writer)
    client.force_login(writer)
    _upload(client, mine, "x.html", minimal_pdf())
    download = client.get(reverse("attachment_download", args=[Attachment.objects.get(item=mine).pk]))
    assert download.status_code == 200 and _no_store(download)


def test_token_signed_api_calls_are_not_stored(client, writer):
    writer.set_password("govinfo-test-password")
    writer.save()
    token = client.post(
        reverse("api-token"), {"username": writer.username, "password": "govinfo-test-password"}, format="json"
    )
    assert token.status_code in (200, 201), token.content
    key = token.json().get("token") or token.json().get("key")
    response = client.get(reverse("api-me"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and _no_store(response)


def test_public_pages_for_anonymous_visitors_stay_cacheable(client, db):
    response = client.get(reverse("public_index"))
    assert response.status_code == 200
    assert not _no_store(response)


# --- 敏感 file names stay out of the item's history ---------------------------------------


def test_sensitive_items_attachment_name_is_not_kept_in_clear_in_events(client, writer, leader):
    item = draft(writer, confidentiality=Confidentiality.SENSITIVE, named_readers=[leader])
    client.force_login(writer)
    _upload(client, item, "某园区欠薪人员名单.pdf", minimal_pdf())
    attachment = Attachment.objects.get(item=item)
    client.post(reverse("attachment_delete", args=[attachment.pk]))
    events = ItemEvent.objects.filter(item=item, action__in=("attach", "detach"))
    comments = list(events.values_list("comment", flat=True))
    assert len(comments) == 2
    assert all("欠薪" not in c and c == actions.SENSITIVE_ATTACHMENT_NOTE for c in comments)
    assert not ItemEvent.objects.filter(comment__contains="欠薪").exists()


def test_ordinary_items_attachment_name_is_kept_in_events(client, writer):
    item = draft(writer)
    client.force_login(writer)
    _upload(client, item, "现场情况.pdf", minimal_pdf())
    assert ItemEvent.objects.get(item=item, action="attach").comment == "现场情况.pdf"


# --- The API's own 404 --------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_unknown_api_path_answers_with_the_apis_json_404(client, writer, signed_in):
    if signed_in:
        client.force_login(writer)
    for path in ("/api/v1/nonexistent/", "/api/v1/items/extra/deep/path/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"code": "not_found", "message": "没有找到该资源。"}
    assert client.post("/api/v1/nonexistent/", {}).status_code == 404
    # Without the slash it is still sent to the slashed path first, as everywhere.
    assert client.get("/api/v1/nonexistent", follow=True).json()["code"] == "not_found"


def test_known_api_paths_still_answer(client, writer):
    client.force_login(writer)
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/me").status_code == 301


def test_attachment_names_leave_the_history_when_the_item_becomes_sensitive(client, writer, leader):
    from tests.submissions.helpers import data

    item = draft(writer)
    client.force_login(writer)
    _upload(client, item, "某园区欠薪人员名单.pdf", minimal_pdf())
    item.refresh_from_db()
    actions.update_draft(
        item=item,
        user=writer,
        data=data(confidentiality=Confidentiality.SENSITIVE, named_readers=[leader]),
        expected_version=item.version,
    )
    assert ItemEvent.objects.get(item=item, action="attach").comment == actions.SENSITIVE_ATTACHMENT_NOTE
    assert not ItemEvent.objects.filter(comment__contains="欠薪").exists()
