"""Attachment files of 敏感 items are SM4-GCM-sealed on disk (submissions/filesealing.py),
opened only on the download paths that check access; ordinary items' files stay as uploaded."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from submissions import actions, filesealing, sealing, tasks
from submissions.models import Attachment

from .helpers import data, draft, submitted
from .pdf_files import catalog, pdf_file

KEY_A = "Q0ZVR3Z5a3BhY2tldC1rZXktQS0wMTIzNDU2Nzg5YWI="
KEY_B = "Q0ZVR3Z5a3BhY2tldC1rZXktQi0wMTIzNDU2Nzg5YWI="
MARKER = b"GOVINFO-TEST-MARKER-4711"
PDF = pdf_file({1: catalog(), 5: b"(" + MARKER + b")"})


@pytest.fixture(autouse=True)
def _media_and_keys(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "sm4", [KEY_A]


def _on_disk(attachment) -> bytes:
    return Path(Attachment.objects.get(pk=attachment.pk).file.path).read_bytes()


def _download(client, attachment):
    return client.get(reverse("attachment_download", args=[attachment.pk]))


def _sensitive_with_file(writer, leader):
    item = draft(writer, title="某工业园区企业欠薪引发聚集", confidentiality="sensitive", named_readers=[leader])
    return item, actions.add_attachment(item=item, user=writer, upload=SimpleUploadedFile("情况.pdf", PDF))


def test_a_sensitive_items_file_is_sealed_on_disk_and_downloads_as_uploaded(
    client, writer, unit_approver, colleague, editor, leader, outsider
):
    item, attachment = _sensitive_with_file(writer, leader)
    stored = _on_disk(attachment)
    assert MARKER not in stored and stored.startswith(filesealing.MAGIC)
    assert filesealing.key_id_of(stored) == sealing.keys()[0].id
    client.force_login(writer)
    response = _download(client, attachment)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    for other in (colleague, outsider):  # no access to the item: the file is not there
        client.force_login(other)
        assert _download(client, attachment).status_code == 404
    actions.transition(item=item, user=writer, action="send_for_signoff", expected_version=item.version)
    item.refresh_from_db()
    actions.transition(item=item, user=unit_approver, action="sign_off", expected_version=item.version)
    for reader in (editor, leader):  # the office's editor and the named leader read it
        client.force_login(reader)
        response = _download(client, attachment)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_an_ordinary_items_file_stays_as_uploaded(client, writer):
    item = draft(writer)
    attachment = actions.add_attachment(item=item, user=writer, upload=SimpleUploadedFile("数据.pdf", PDF))
    assert _on_disk(attachment) == PDF
    client.force_login(writer)
    assert b"".join(_download(client, attachment).streaming_content) == PDF


def test_an_item_made_sensitive_later_has_its_files_sealed_on_commit_and_opened_when_it_turns_back(
    client, writer, leader, django_capture_on_commit_callbacks
):
    item = draft(writer)
    attachment = actions.add_attachment(item=item, user=writer, upload=SimpleUploadedFile("数据.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.update_draft(
            item=item, user=writer, expected_version=item.version,
            data=data(confidentiality="sensitive", named_readers=[leader]),
        )  # fmt: skip
    assert _on_disk(attachment) == PDF  # not before the change is committed
    for callback in callbacks:
        callback()
    assert MARKER not in _on_disk(attachment) and filesealing.key_id_of(_on_disk(attachment))
    client.force_login(writer)
    assert b"".join(_download(client, attachment).streaming_content) == PDF
    item.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_draft(item=item, user=writer, expected_version=item.version, data=data())
    assert _on_disk(attachment) == PDF


def test_the_daily_task_seals_a_file_a_lost_on_commit_left_behind_and_is_safe_twice(writer, leader):
    item, attachment = _sensitive_with_file(writer, leader)
    Path(attachment.file.path).write_bytes(PDF)  # as if the process died before sealing it
    assert tasks.seal_attachment_files()["sealed"] == 1
    sealed = _on_disk(attachment)
    assert MARKER not in sealed and filesealing.open_bytes(sealed) == PDF
    assert tasks.seal_attachment_files() == {"looked_at": 1, "sealed": 0, "opened": 0}
    assert _on_disk(attachment) == sealed  # not rewritten


def test_rotation_reseals_files_to_the_first_key_and_a_second_run_rewrites_none(
    client, settings, writer, leader, capsys
):
    _, attachment = _sensitive_with_file(writer, leader)
    ordinary = actions.add_attachment(item=draft(writer), user=writer, upload=SimpleUploadedFile("数据.pdf", PDF))
    old_id = filesealing.key_id_of(_on_disk(attachment))
    settings.ITEM_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    call_command("rotate_item_keys", verbosity=0)
    out = capsys.readouterr().out
    assert "附件文件：新加密 0、换密钥 1、解密 0、缺失 0，共查看 2 个" in out
    rotated = _on_disk(attachment)
    assert filesealing.key_id_of(rotated) == sealing.keys()[0].id != old_id
    assert _on_disk(ordinary) == PDF
    call_command("rotate_item_keys", verbosity=0)
    assert "附件文件：新加密 0、换密钥 0、解密 0、缺失 0，共查看 2 个" in capsys.readouterr().out
    assert _on_disk(attachment) == rotated
    settings.ITEM_ENCRYPTION_KEYS = [KEY_B]  # the old key may go once everything is rotated
    client.force_login(writer)
    assert b"".join(_download(client, attachment).streaming_content) == PDF


def test_rotation_seals_a_sensitive_items_plaintext_file_and_counts_a_missing_one(writer, leader, capsys):
    _, attachment = _sensitive_with_file(writer, leader)
    Path(attachment.file.path).write_bytes(PDF)
    _, gone = _sensitive_with_file(writer, leader)
    Path(gone.file.path).unlink()
    call_command("rotate_item_keys", verbosity=0)
    assert "附件文件：新加密 1、换密钥 0、解密 0、缺失 1，共查看 2 个" in capsys.readouterr().out
    assert MARKER not in _on_disk(attachment)


def test_an_altered_or_relabelled_sealed_file_is_refused(settings, writer, leader):
    _, attachment = _sensitive_with_file(writer, leader)
    stored = bytearray(_on_disk(attachment))
    stored[-20] ^= 1
    with pytest.raises(sealing.SealingError, match="文件已被改动"):
        filesealing.open_bytes(bytes(stored))
    settings.ITEM_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    relabelled = _on_disk(attachment).replace(
        sealing.keys()[1].id.encode(), sealing.keys()[0].id.encode(), 1
    )  # the header is authenticated with the content
    with pytest.raises(sealing.SealingError):
        filesealing.open_bytes(relabelled)
    settings.ITEM_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(sealing.SealingError, match=filesealing.key_id_of(_on_disk(attachment))):
        filesealing.read(attachment)


def test_the_header_cannot_be_mistaken_for_an_upload(client, writer):
    # A file that begins like a sealed one is not an accepted upload type: refused, so a
    # plaintext file on disk never looks sealed.
    item = draft(writer)
    client.force_login(writer)
    fake = SimpleUploadedFile("x.pdf", filesealing.MAGIC + b"sm4-gcm:0123abcd\n" + PDF)
    client.post(reverse("attachment_add", args=[item.pk]), {"file": fake})
    assert not Attachment.objects.filter(item=item).exists()


def test_the_api_download_opens_a_sealed_file(writer, unit_approver, leader):
    from rest_framework.test import APIClient

    item = submitted(writer, unit_approver, title="某工业园区企业欠薪引发聚集", confidentiality="sensitive",
                     named_readers=[leader])  # fmt: skip
    attachment = Attachment(item=item, original_name="情况.pdf", kind="pdf", content_type="application/pdf",
                            size=len(PDF), uploaded_by=writer)  # fmt: skip
    attachment.file.save("upload.pdf", SimpleUploadedFile("u.pdf", filesealing.seal_bytes(PDF)), save=True)
    api = APIClient()
    api.force_authenticate(leader)
    response = api.get(f"/api/v1/items/{item.pk}/attachments/{attachment.pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
