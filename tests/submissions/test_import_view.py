import io

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions.models import Item


def _docx(title: str, paragraphs: list[str]) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_import_fills_title_and_body_without_saving(client, writer):
    client.force_login(writer)
    content = _docx("我市春耕生产有序推进", ["截至3月底，全市完成春播面积120万亩。", "农资储备充足。"])
    response = client.post(reverse("item_import"), {"docx": SimpleUploadedFile("稿件.docx", content)})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="我市春耕生产有序推进"' in page
    assert "截至3月底，全市完成春播面积120万亩。\n农资储备充足。" in page
    assert 'data-code="first_person"' in page  # the hint shows at once
    assert not Item.objects.exists()


def test_import_refuses_non_word_file_and_keeps_the_page(client, writer):
    client.force_login(writer)
    response = client.post(reverse("item_import"), {"docx": SimpleUploadedFile("x.docx", b"not a zip at all")})
    page = response.content.decode()
    assert response.status_code == 200 and "该文件的内容不是 Word 文档" in page


def test_import_is_for_staff_only(client, editor):
    client.force_login(editor)
    response = client.post(reverse("item_import"), {"docx": SimpleUploadedFile("a.docx", _docx("标题", ["正文"]))})
    assert response.status_code == 403
