"""Reads that matter are audited (GB/T 22239 8.1.4.3): opening a 敏感 item (page and API),
downloading an attachment, an issue's Word file, and exports — one row per read, naming
the person and the object; ordinary items are not, and refused reads write nothing."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEntry
from publications.models import Publication, PublicationKind
from scoring.models import Scheme, SchemeUnit
from submissions.models import Attachment
from tests.publications.helpers import adopted, signed_issue
from tests.submissions.helpers import submitted

pytestmark = pytest.mark.django_db

SECRET = "某工业园区企业欠薪引发聚集"


def reads(action: str):
    return AuditEntry.objects.filter(action=action)


@pytest.fixture
def sensitive(writer, unit_approver, leader):
    return submitted(writer, unit_approver, title=SECRET, confidentiality="sensitive", named_readers=[leader])


def test_opening_a_sensitive_item_is_one_row_with_the_reader_and_the_item(client, editor, sensitive, writer):
    client.force_login(editor)
    assert client.get(reverse("item_detail", args=[sensitive.pk])).status_code == 200
    entry = reads("read_sensitive_item").get()
    assert (entry.actor_id, entry.model, entry.object_id) == (editor.pk, "submissions.item", str(sensitive.pk))
    assert entry.object_repr == "（敏感信息）" and SECRET not in str(entry.changes)

    api = APIClient()
    api.force_authenticate(editor)
    assert api.get(f"/api/v1/items/{sensitive.pk}/").status_code == 200
    assert reads("read_sensitive_item").count() == 2


def test_an_ordinary_item_and_a_refused_read_write_no_read_row(client, editor, outsider, writer, unit_approver):
    ordinary = submitted(writer, unit_approver, title="市发展改革委推进重大项目建设")
    client.force_login(editor)
    assert client.get(reverse("item_detail", args=[ordinary.pk])).status_code == 200
    assert not reads("read_sensitive_item").exists()


def test_an_outsider_refused_a_sensitive_item_leaves_no_read_row(client, outsider, sensitive):
    client.force_login(outsider)
    assert client.get(reverse("item_detail", args=[sensitive.pk])).status_code == 404
    assert not reads("read_sensitive_item").exists()


def test_downloading_an_attachment_is_recorded(client, writer, settings):
    from tests.submissions.helpers import draft

    item = draft(writer)
    client.force_login(writer)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(reverse("attachment_add", args=[item.pk]), {"file": SimpleUploadedFile("照片.png", png, "image/png")})
    attachment = Attachment.objects.get(item=item)
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 200
    entry = reads("download_attachment").get()
    assert (entry.actor_id, entry.model, entry.object_id) == (writer.pk, "submissions.attachment", str(attachment.pk))


def test_downloading_an_issues_word_file_is_recorded(client, writer, unit_approver, editor, issue_approver, city):
    publication = Publication.objects.create(office=city, name="政务信息", kind=PublicationKind.GENERAL, points_full=5)
    adoption = adopted(writer, unit_approver, editor, publication, title="市发展改革委推进重大项目建设")
    issue = signed_issue(editor, issue_approver, publication, [adoption])
    client.force_login(editor)
    assert client.get(reverse("issue_docx", args=[issue.pk])).status_code == 200
    entry = reads("download_issue").get()
    assert (entry.actor_id, entry.model, entry.object_id) == (editor.pk, "publications.issue", str(issue.pk))
    assert entry.changes["format"] == "docx"


def test_exports_are_recorded_with_what_was_exported(client, editor, city, department, leader):
    scheme = Scheme.objects.create(office=city, year=2026, name="考核")
    SchemeUnit.objects.create(scheme=scheme, unit=department)
    client.force_login(editor)
    response = client.get(reverse("scheme_board_export", args=[scheme.pk]))
    assert response.status_code == 200
    entry = reads("export").get()
    assert entry.actor_id == editor.pk and "积分榜" in entry.object_repr and entry.actor_unit_id == city.pk

    client.force_login(leader)
    assert client.get(reverse("instruction_export")).status_code == 200
    assert reads("export").filter(actor=leader, object_repr="批示办理情况.xlsx").count() == 1

    client.force_login(editor)
    assert client.get(reverse("progress_status") + "?export=xlsx").status_code == 200
    assert reads("export").filter(actor=editor, object_repr__startswith="月度工作进展").count() == 1


def test_exporting_the_audit_record_is_itself_recorded(client, city_auditor):
    client.force_login(city_auditor)
    response = client.get(reverse("admin:audit_auditentry_changelist") + "export.csv")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = reads("export").get()
    assert entry.actor_id == city_auditor.pk and entry.object_repr.startswith("审计记录")
