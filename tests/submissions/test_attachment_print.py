"""随文刊发: the receiving office's editor marks an item's pictures to be printed with it."""

import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions import actions
from submissions.models import Attachment, ItemEvent

from .helpers import act, draft


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def _submitted_with_files(writer, unit_approver):
    item = draft(writer)
    picture = actions.add_attachment(item=item, user=writer, upload=SimpleUploadedFile("现场照片.png", _png()))
    report = Attachment(item=item, original_name="报告.pdf", kind="pdf", content_type="application/pdf", size=9,
                        uploaded_by=writer)  # fmt: skip
    report.file.save("upload.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    item.refresh_from_db()
    return item, picture, report


def _toggle(client, attachment, value: str):
    return client.post(reverse("attachment_print", args=[attachment.pk]), {"for_print": value})


def test_editor_marks_a_picture_for_print_and_the_item_page_says_so(client, writer, unit_approver, editor):
    item, picture, _ = _submitted_with_files(writer, unit_approver)
    client.force_login(editor)
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert f'id="print-toggle-{picture.pk}"' in page
    response = _toggle(client, picture, "1")
    assert response.status_code == 302
    picture.refresh_from_db()
    assert picture.for_print
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert f'data-for-print="{picture.pk}"' in page and "取消随文刊发" in page
    assert ItemEvent.objects.filter(item=item, action="print_picture", actor=editor, comment="现场照片.png").exists()
    _toggle(client, picture, "1")  # twice: still one event
    assert ItemEvent.objects.filter(item=item, action="print_picture").count() == 1
    _toggle(client, picture, "0")
    picture.refresh_from_db()
    assert not picture.for_print
    assert ItemEvent.objects.filter(item=item, action="unprint_picture").exists()


def test_only_pictures_can_be_printed(client, writer, unit_approver, editor):
    item, _, report = _submitted_with_files(writer, unit_approver)
    client.force_login(editor)
    assert f'id="print-toggle-{report.pk}"' not in client.get(reverse("item_detail", args=[item.pk])).content.decode()
    response = _toggle(client, report, "1")
    assert "只有图片附件可以随文刊发" in client.get(response.url).content.decode()
    report.refresh_from_db()
    assert not report.for_print


def test_outsiders_writers_and_get_are_refused(client, writer, unit_approver, outsider, other_editor):
    item, picture, _ = _submitted_with_files(writer, unit_approver)
    for person, status in ((outsider, 404), (other_editor, 404), (writer, 404), (unit_approver, 404)):
        client.force_login(person)
        assert _toggle(client, picture, "1").status_code == status, person
    client.force_login(writer)
    assert f'id="print-toggle-{picture.pk}"' not in client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert client.get(reverse("attachment_print", args=[picture.pk])).status_code == 405
    assert not Attachment.objects.get(pk=picture.pk).for_print
