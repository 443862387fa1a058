"""敏感 items: the audit record says that the text changed, never what it says."""

import json

from django.urls import reverse

from audit.models import AuditEntry
from publications.models import Confidentiality, Publication, PublicationKind
from submissions.models import Item
from tests.submissions.helpers import BODY, act, category

from .helpers import entries_for, mark, since

TITLE = "某工业园区企业欠薪引发聚集"
SECRET_WORDS = ("欠薪", "聚集", "重大项目", "486.3", "挂牌督办", "欠款", "讨薪")


def _everything_recorded() -> str:
    rows = list(AuditEntry.objects.values())
    return json.dumps(rows, ensure_ascii=False, default=str)


def _assert_no_plaintext(text: str) -> None:
    for word in SECRET_WORDS:
        assert word not in text, word


def test_sensitive_item_written_and_edited_over_http_leaves_no_plaintext(client, writer, unit_approver, editor, leader):
    client.force_login(writer)
    form = {"title": TITLE, "body": BODY, "category": category().pk, "form": "full",
            "confidentiality": "sensitive", "named_readers": [leader.pk], "signature": writer.unit.name}  # fmt: skip
    assert client.post(reverse("item_create"), form).status_code == 302
    item = Item.objects.get()
    start = mark()
    form.update(title="某工业园区企业欠款引发讨薪", body=BODY + "\n四是挂牌督办。", version=item.version)
    assert client.post(reverse("item_edit", args=[item.pk]), form).status_code == 302
    item.refresh_from_db()
    assert item.plain_title == "某工业园区企业欠款引发讨薪"  # the edit happened

    edit = since(start).get(model="submissions.item", action="edit")
    assert edit.actor == writer
    assert edit.changes == {"title": ["***", "***"], "body": ["***", "***"]}  # changed, values withheld
    assert edit.object_repr == "（敏感信息）"
    created = entries_for(item)[0]
    assert created.action == "create" and created.changes["title"] == [None, "***"]
    readers = AuditEntry.objects.get(model="submissions.item", changes__has_key="named_readers")
    assert readers.changes == {"named_readers": {"added": [leader.pk]}}

    # The editor revises the text and adopts it into a 敏感 publication.
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    item.refresh_from_db()
    client.force_login(editor)
    revise = {"title": "园区欠薪问题处置情况", "body": "讨薪人员已疏散。", "note": "精简", "version": item.version}
    assert client.post(reverse("item_editor_edit", args=[item.pk]), revise).status_code == 302
    secret_pub = Publication.objects.create(
        office=item.office, name="内部参阅", kind=PublicationKind.INTERNAL, confidentiality=Confidentiality.SENSITIVE
    )
    item.refresh_from_db()
    response = client.post(
        reverse("item_adopt", args=[item.pk]), {"publication": secret_pub.pk, "form": "full", "version": item.version}
    )
    assert response.status_code == 302 and item.adoptions.exists()
    editor_edit = AuditEntry.objects.get(model="submissions.item", action="editor_edit")
    assert editor_edit.changes["title"] == ["***", "***"] and editor_edit.changes["state"] == ["submitted", "in_review"]
    adoption = AuditEntry.objects.get(model="publications.adoption", action="create")
    assert adoption.changes["title"] == [None, "***"] and adoption.object_repr == "（敏感信息）"

    _assert_no_plaintext(_everything_recorded())
    # Nor in what an administrator exports.
    from audit import exports

    _assert_no_plaintext("".join(exports.csv_lines(AuditEntry.objects.all())))


def test_saving_sealed_text_unchanged_records_no_text_change(writer, leader):
    from submissions import actions
    from tests.submissions.helpers import data, draft

    item = draft(writer, title=TITLE, confidentiality="sensitive", named_readers=[leader])
    start = mark()
    # Saved again with the same text and a new phone number: sealing again gives new
    # ciphertext, yet only the phone changed.
    actions.update_draft(
        item=item, user=writer, expected_version=item.version,
        data=data(title=TITLE, confidentiality="sensitive", named_readers=[leader], phone="0871-1234567",
                  signature=writer.unit.name),
    )  # fmt: skip
    entry = since(start).get(model="submissions.item")
    assert entry.changes == {"phone": ["", "0871-1234567"]}


def test_attachment_names_of_sensitive_items_are_withheld(client, writer, leader, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from submissions.models import Attachment
    from tests.submissions.helpers import draft
    from tests.submissions.test_attachments import _png

    settings.MEDIA_ROOT = tmp_path / "media"
    secret = draft(writer, title=TITLE, confidentiality="sensitive", named_readers=[leader])
    plain = draft(writer, title="普通信息", body="普通正文。")
    client.force_login(writer)
    for item, name in ((secret, "欠薪现场.png"), (plain, "项目现场.png")):
        upload = SimpleUploadedFile(name, _png(), content_type="image/png")
        assert client.post(reverse("attachment_add", args=[item.pk]), {"file": upload}).status_code == 302
    hidden = AuditEntry.objects.get(
        model="submissions.attachment", object_id=str(Attachment.objects.get(item=secret).pk)
    )
    shown = AuditEntry.objects.get(model="submissions.attachment", object_id=str(Attachment.objects.get(item=plain).pk))
    assert hidden.changes["original_name"] == [None, "***"] and hidden.object_repr == "（敏感信息附件）"
    assert hidden.actor == writer and hidden.unit_id == secret.unit_id
    # An ordinary item's file name is kept sealed too (the item may turn 敏感), and shown
    # in the record while the item is not 敏感.
    from audit import reveal
    from audit.display import changes_text

    assert "项目现场" not in json.dumps(shown.changes, ensure_ascii=False)
    (shown,) = reveal.mark([shown])
    assert changes_text(shown).endswith("文件名：项目现场.png") and shown.object_repr.startswith("附件 #")
    _assert_no_plaintext(_everything_recorded())


def test_item_made_sensitive_later_leaves_no_clear_text_in_the_record(client, writer, unit_approver, editor, leader):
    """Written as 内部, submitted, returned, then made 敏感 by its writer: the earlier entries
    (its creation, the version sent) keep no clear text in the database, and the record
    shows them as changed like the later ones."""
    from submissions import actions
    from submissions.models import ItemVersion
    from tests.submissions.helpers import act, data, draft
    from units.models import Role

    item = draft(writer, title=TITLE, body=BODY + "\n四是挂牌督办。")
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    act(item, editor, "return", "请补充。")
    item.refresh_from_db()
    # Before: an administrator reads the ordinary item's title in the record.
    from tests.factories import UserFactory

    auditor = UserFactory(username="auditor_admin", unit=writer.unit.parent, roles=[Role.AUDITOR])
    client.force_login(auditor)
    listing = reverse("admin:audit_auditentry_changelist") + "?model=submissions.item"
    created = entries_for(item)[0]
    detail_url = reverse("admin:audit_auditentry_change", args=[created.pk])
    assert TITLE in client.get(detail_url).content.decode()

    actions.update_draft(
        item=item, user=writer, expected_version=item.version,
        data=data(title=TITLE, body=BODY, confidentiality="sensitive", named_readers=[leader],
                  signature=writer.unit.name),
    )  # fmt: skip
    _assert_no_plaintext(_everything_recorded())
    versions = json.dumps(list(ItemVersion.objects.filter(item=item).values("title", "body")), ensure_ascii=False)
    _assert_no_plaintext(versions)
    item.refresh_from_db()
    assert not item.fingerprints.exists()

    assert TITLE not in client.get(listing).content.decode()
    detail = client.get(detail_url).content.decode()
    assert TITLE not in detail and "已修改（内容不记录）" in detail
    for export in ("admin:audit_auditentry_export_csv", "admin:audit_auditentry_export_xlsx"):
        response = client.get(reverse(export))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if export.endswith("xlsx"):
            import io

            import openpyxl

            sheet = openpyxl.load_workbook(io.BytesIO(body)).active
            body = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value).encode()
        _assert_no_plaintext(body.decode("utf-8-sig"))


def test_notifications_that_named_an_item_made_sensitive_later_name_it_no_more(writer, unit_approver, editor, leader):
    from submissions import actions
    from tests.submissions.helpers import act, data, draft
    from units.models import Notification

    item = draft(writer, title=TITLE)
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    act(item, editor, "return", "请补充。")
    assert Notification.objects.filter(title__contains=TITLE).exists()  # named while 内部
    item.refresh_from_db()
    actions.update_draft(
        item=item, user=writer, expected_version=item.version,
        data=data(title=TITLE, confidentiality="sensitive", named_readers=[leader], signature=writer.unit.name),
    )  # fmt: skip
    assert not Notification.objects.filter(title__contains=TITLE).exists()
    assert Notification.objects.filter(title="退回修改：（敏感信息）").exists()
