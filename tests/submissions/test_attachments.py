import io
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions.models import Attachment

from .helpers import act, draft, submitted


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        import struct

        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    import struct

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(client, item, name, content, content_type="application/octet-stream"):
    f = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(reverse("attachment_add", args=[item.pk]), {"file": f})


def test_writer_uploads_picture_stored_under_generated_name(client, writer):
    item = draft(writer)
    client.force_login(writer)
    _upload(client, item, "现场照片.png", _png(), "image/png")
    attachment = Attachment.objects.get(item=item)
    assert attachment.original_name == "现场照片.png" and attachment.kind == "image"
    stored = Path(attachment.file.path)
    assert stored.exists() and "现场照片" not in stored.name and stored.suffix == ".png"
    assert str(stored).startswith(str(settings.MEDIA_ROOT))
    response = client.get(reverse("attachment_download", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == _png()
    assert response["X-Content-Type-Options"] == "nosniff"


def test_renamed_executable_is_refused(client, writer):
    item = draft(writer)
    client.force_login(writer)
    response = _upload(client, item, "照片.png", b"MZ\x90\x00" + b"\x00" * 200)
    page = client.get(response.url).content.decode()
    assert "附件未上传" in page and "不支持该文件类型" in page
    assert not Attachment.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*")) if Path(settings.MEDIA_ROOT).exists() else True


def test_oversized_upload_is_refused(client, writer):
    item = draft(writer)
    client.force_login(writer)
    big = b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024) + b"\n%%EOF"
    page = client.get(_upload(client, item, "大文件.pdf", big).url).content.decode()
    assert "文件过大" in page and "20 MB" in page
    assert not Attachment.objects.exists()


def test_macro_document_is_refused(client, writer):
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/vbaProject.bin", b"\x00" * 64)
    item = draft(writer)
    client.force_login(writer)
    page = client.get(_upload(client, item, "带宏.docx", out.getvalue()).url).content.decode()
    assert "含有宏的文件不能上传" in page
    assert not Attachment.objects.exists()


def test_outsiders_cannot_download_or_delete(client, writer, colleague, unit_approver, other_writer, other_editor):
    item = draft(writer)
    client.force_login(writer)
    _upload(client, item, "表.png", _png())
    attachment = Attachment.objects.get()
    for person in (other_writer, other_editor):
        client.force_login(person)
        assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 404
        assert client.post(reverse("attachment_delete", args=[attachment.pk])).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    client.force_login(client_user := colleague)
    assert client_user.unit_id == item.unit_id
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 200


def test_editor_reads_attachment_once_submitted(client, writer, unit_approver, editor):
    item = draft(writer)
    client.force_login(writer)
    _upload(client, item, "表.png", _png())
    attachment = Attachment.objects.get()
    client.force_login(editor)
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 404  # still a draft
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 200


def test_no_attachments_after_submission_and_delete_removes_file(
    client, writer, unit_approver, django_capture_on_commit_callbacks
):
    item = draft(writer)
    client.force_login(writer)
    _upload(client, item, "a.png", _png())
    attachment = Attachment.objects.get()
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("attachment_delete", args=[attachment.pk]))
    assert not Attachment.objects.exists()
    assert not path.exists()

    item2 = submitted(writer, unit_approver)
    page = client.get(_upload(client, item2, "b.png", _png()).url).content.decode()
    assert "信息报送后不能再添加附件" in page
    assert not Attachment.objects.exists()
