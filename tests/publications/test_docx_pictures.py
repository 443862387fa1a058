"""随文刊发 pictures in the bulletin: a picture the office's editor marked is printed after
its item's body in the Word file (scaled into the 版心, aspect kept, centred, captioned in
楷体 below it) and shown in the issue page; a withheld 敏感 item's picture is in neither."""

import io
from pathlib import Path

import docx as python_docx
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publications import actions
from publications.models import Confidentiality, Publication, PublicationKind, Recipient, RecipientKind
from submissions import actions as item_actions
from submissions import filesealing
from submissions.models import Attachment
from submissions.pictures import mark_for_print
from tests.factories import UserFactory
from tests.images import png
from tests.submissions.helpers import act, draft
from units.models import Role

from .helpers import signed_issue

TEXT_W_EMU = 156 * 36000  # the 版心 width, 156 mm
SECRET = "某工业园区企业欠薪引发聚集"
ORDINARY = "市发展改革委推进重大项目建设"


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def _adopted_with_pictures(writer, approver, editor, publication, *, mark=True, **overrides):
    """An adopted item with a wide picture (marked unless `mark` is false), a second picture
    left unmarked and a PDF; returns (adoption, marked picture)."""
    item = draft(writer, **overrides)
    wide = item_actions.add_attachment(
        item=item, user=writer, upload=SimpleUploadedFile("项目现场.png", png(3000, 1500))
    )
    item_actions.add_attachment(item=item, user=writer, upload=SimpleUploadedFile("未选图片.png", png(40, 40)))
    report = Attachment(
        item=item,
        original_name="报告.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=writer,
        for_print=True,
    )  # fmt: skip  (marked, yet not an image)
    report.file.save("upload.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    act(item, writer, "send_for_signoff")
    item = act(item, approver, "sign_off")
    if mark:
        mark_for_print(attachment=Attachment.objects.get(pk=wide.pk), user=editor, for_print=True)
    return actions.adopt(item=item, user=editor, publication=publication), wide


def _docx(client, issue):
    response = client.get(reverse("issue_docx", args=[issue.pk]))
    assert response.status_code == 200
    return python_docx.Document(io.BytesIO(b"".join(response.streaming_content)))


def _has_picture(paragraph) -> bool:
    return bool(paragraph._p.xpath(".//pic:pic"))


def test_a_marked_picture_is_printed_after_the_body_in_the_version_area_with_its_caption(
    client, writer, unit_approver, editor, issue_approver, bulletin
):
    adoption, _ = _adopted_with_pictures(writer, unit_approver, editor, bulletin)
    issue = signed_issue(editor, issue_approver, bulletin, [adoption])
    client.force_login(editor)
    document = _docx(client, issue)
    shapes = document.inline_shapes
    assert len(shapes) == 1  # the unmarked picture and the PDF are not printed
    width, height = shapes[0].width, shapes[0].height
    assert width <= TEXT_W_EMU and abs(width / height - 2.0) < 0.01  # 3000 × 1500 px scaled down, aspect kept
    paragraphs = document.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if _has_picture(p))
    picture, caption = paragraphs[at], paragraphs[at + 1]
    assert picture.style.style_id == "GovPicture" and picture.alignment is None  # centred by its style
    assert picture.style.paragraph_format.alignment == 1  # WD_ALIGN_PARAGRAPH.CENTER
    assert caption.text == "项目现场" and caption.style.style_id == "GovCaption"
    assert "楷体" in caption.style.element.xml
    # after the body, before the source line
    assert paragraphs[at - 1].style.style_id == "GovBody" and paragraphs[at + 2].style.style_id == "GovSource"


def test_once_published_the_pictures_are_fixed(client, writer, unit_approver, editor, issue_approver, bulletin):
    adoption, wide = _adopted_with_pictures(writer, unit_approver, editor, bulletin)
    signed_issue(editor, issue_approver, bulletin, [adoption])
    client.force_login(editor)
    assert client.post(reverse("attachment_print", args=[wide.pk]), {"for_print": "0"}).status_code == 404
    assert Attachment.objects.get(pk=wide.pk).for_print  # the signed issue's file and page keep it


def test_an_unmarked_picture_is_not_printed(client, writer, unit_approver, editor, issue_approver, bulletin):
    adoption, _ = _adopted_with_pictures(writer, unit_approver, editor, bulletin, mark=False)
    issue = signed_issue(editor, issue_approver, bulletin, [adoption])
    client.force_login(editor)
    assert len(_docx(client, issue).inline_shapes) == 0
    assert "data-picture" not in client.get(reverse("issue_detail", args=[issue.pk])).content.decode()


def test_the_issue_page_shows_the_picture_and_caption_where_the_file_prints_it(
    client, writer, unit_approver, editor, issue_approver, leader, outsider, bulletin
):
    adoption, wide = _adopted_with_pictures(writer, unit_approver, editor, bulletin)
    issue = signed_issue(editor, issue_approver, bulletin, [adoption])
    url = reverse("issue_picture", args=[issue.pk, wide.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    # the office's leader reads the issue but may not open the item: the picture comes
    # through the issue's access check
    client.force_login(leader)
    assert client.get(reverse("attachment_download", args=[wide.pk])).status_code == 404
    assert client.get(url).status_code == 200
    unmarked = Attachment.objects.get(item=wide.item, original_name="未选图片.png")
    assert client.get(reverse("issue_picture", args=[issue.pk, unmarked.pk])).status_code == 404
    client.force_login(editor)
    page = client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    assert f'data-picture="{wide.pk}"' in page and f'src="{url}"' in page
    assert "<figcaption" in page and ">项目现场</figcaption>" in page
    assert page.index(f'data-picture="{wide.pk}"') < page.index('id="issue-footer"')
    served = client.get(url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == wide.file.open("rb").read()


@pytest.fixture
def restricted(writer, unit_approver, editor, issue_approver, leader, city, province, department):
    publication = Publication.objects.create(
        office=city, name="动态信息专报", kind=PublicationKind.DYNAMIC_REPORT,
        confidentiality=Confidentiality.SENSITIVE, points_full=10,
    )  # fmt: skip
    Recipient.objects.create(publication=publication, unit=province, kind=RecipientKind.BAO)
    secret, picture = _adopted_with_pictures(
        writer, unit_approver, editor, publication, title=SECRET, confidentiality="sensitive", named_readers=[leader]
    )
    ordinary, _ = _adopted_with_pictures(writer, unit_approver, editor, publication, mark=False, title=ORDINARY)
    return signed_issue(editor, issue_approver, publication, [secret, ordinary]), picture


def test_a_withheld_sensitive_items_picture_is_neither_in_the_readers_file_nor_page(
    client, restricted, editor, province
):
    issue, picture = restricted
    province_staff = UserFactory(username="prov_staff", unit=province, roles=[Role.STAFF])
    client.force_login(province_staff)
    document = _docx(client, issue)
    assert len(document.inline_shapes) == 0
    assert "项目现场" not in "".join(p.text for p in document.paragraphs)
    page = client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    url = reverse("issue_picture", args=[issue.pk, picture.pk])
    assert f'data-picture="{picture.pk}"' not in page and url not in page
    assert "本期另有1条敏感信息" in page
    assert client.get(url).status_code == 404
    # The 敏感 item's picture is sealed on disk (submissions/filesealing.py) ...
    assert Path(picture.file.path).read_bytes().startswith(filesealing.MAGIC)
    client.force_login(editor)  # the office's editor reads the whole issue, picture and all
    document = _docx(client, issue)
    assert len(document.inline_shapes) == 1
    # ... and opened for the readers allowed: the Word file embeds the original image
    embedded = [p.target_part.blob for p in document.part.rels.values() if "image" in p.reltype]
    assert embedded == [png(3000, 1500)]
    assert f'data-picture="{picture.pk}"' in client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    served = client.get(url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == png(3000, 1500)
