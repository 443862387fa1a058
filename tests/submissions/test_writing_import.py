"""Importing a Word draft never erases what the writer typed (issue 14): it fills an
empty form, asks before replacing a title or body, and a failed import gives the form
back as it was posted."""

import io

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions.models import Item

from .helpers import category


def _docx(title: str, paragraphs: list[str]) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


WORD = _docx("昆明市春耕生产有序推进", ["截至3月底，全市完成春播面积120万亩。"])


def _typed(**overrides):
    data = {
        "title": "我正在写的标题",
        "body": "我已经写了半天的正文。",
        "category": str(category().pk),
        "form": "brief",
        "writers": "张三",
        "phone": "0871-1234567",
        "signature": "昆明市发改委",
        "confidentiality": "internal",
    }
    data.update(overrides)
    return data


def _import(client, data, content=WORD, name="稿件.docx"):
    return client.post(reverse("item_import"), {**data, "docx": SimpleUploadedFile(name, content)})


def _values(response) -> dict:
    form = response.context["form"]
    return {name: form[name].value() for name in ("title", "body", "category", "form", "writers", "phone", "signature")}


def test_import_fills_an_empty_form_and_keeps_the_other_fields(client, writer):
    client.force_login(writer)
    response = _import(client, _typed(title="", body=""))
    values = _values(response)
    assert values["title"] == "昆明市春耕生产有序推进" and values["body"] == "截至3月底，全市完成春播面积120万亩。"
    assert (values["writers"], values["phone"], values["form"]) == ("张三", "0871-1234567", "brief")
    assert str(values["category"]) == str(category().pk)
    assert response.context["pending_import"] is None
    assert not Item.objects.exists()


def test_import_over_typed_text_asks_first_and_changes_nothing(client, writer):
    client.force_login(writer)
    response = _import(client, _typed())
    page = response.content.decode()
    assert _values(response)["title"] == "我正在写的标题" and _values(response)["body"] == "我已经写了半天的正文。"
    assert 'id="import-question"' in page and "是否用 Word 文档中的内容替换" in page
    assert 'name="imported_title" value="昆明市春耕生产有序推进"' in page


def test_answering_replace_takes_the_imported_text(client, writer):
    client.force_login(writer)
    response = client.post(
        reverse("item_import"),
        {**_typed(), "import_choice": "replace", "imported_title": "导入的标题", "imported_body": "导入的正文。"},
    )
    values = _values(response)
    assert (values["title"], values["body"], values["writers"]) == ("导入的标题", "导入的正文。", "张三")
    assert 'id="import-question"' not in response.content.decode()


def test_answering_keep_leaves_the_typed_text(client, writer):
    client.force_login(writer)
    response = client.post(
        reverse("item_import"),
        {**_typed(), "import_choice": "keep", "imported_title": "导入的标题", "imported_body": "导入的正文。"},
    )
    values = _values(response)
    assert (values["title"], values["body"]) == ("我正在写的标题", "我已经写了半天的正文。")
    assert "已保留您填写的内容" in response.content.decode()


def test_a_failed_import_leaves_the_form_as_it_was(client, writer):
    client.force_login(writer)
    response = _import(client, _typed(), content=b"%PDF-1.7\n%%EOF\n", name="稿件.docx")
    page = response.content.decode()
    assert _values(response)["title"] == "我正在写的标题" and _values(response)["body"] == "我已经写了半天的正文。"
    assert _values(response)["writers"] == "张三"
    assert "该文件的内容不是 Word 文档" in page
    assert "请填写" not in page  # an import is not a save: no errors for the item's fields


def test_a_non_word_file_not_named_docx_is_asked_for_as_docx(client, writer):
    client.force_login(writer)
    page = _import(client, _typed(), content=b"just text", name="稿件.txt").content.decode()
    assert "请上传 .docx 格式的 Word 文档" in page and "我已经写了半天的正文。" in page


def test_import_without_a_file_keeps_the_form(client, writer):
    client.force_login(writer)
    response = client.post(reverse("item_import"), _typed())
    assert _values(response)["body"] == "我已经写了半天的正文。"
    assert "请选择要导入的 Word 文档" in response.content.decode()


def test_someone_who_does_not_write_cannot_import(client, leader, unit_approver):
    for person in (leader, unit_approver):
        client.force_login(person)
        assert _import(client, _typed()).status_code == 403


def test_a_successful_save_confirms_the_browser_copy(client, writer):
    client.force_login(writer)
    data = _typed(autosave_key="abcdef0123456789")
    response = client.post(reverse("item_create"), data)
    assert response.status_code == 302
    assert response.cookies["gi_autosaved"].value == "abcdef0123456789"


def test_a_refused_save_keeps_the_browser_copy_and_an_odd_key_sets_nothing(client, writer):
    client.force_login(writer)
    refused = client.post(reverse("item_create"), _typed(title="", autosave_key="abcdef01234"))
    assert refused.status_code == 200 and "gi_autosaved" not in refused.cookies
    response = client.post(reverse("item_create"), _typed(autosave_key="x\r\nSet-Cookie: a=b"))
    assert response.status_code == 302 and "gi_autosaved" not in response.cookies


def test_the_optional_import_field_is_not_marked_required(client, writer):
    # The writer need not import anything: no asterisk, no required attribute on the page.
    import re

    category()
    client.force_login(writer)
    page = client.get(reverse("item_create")).content.decode()
    tag = re.search(r'<input[^>]*name="docx"[^>]*>', page).group(0)
    assert "required" not in tag
    label = re.search(r'<label[^>]*for="id_docx"[^>]*>.*?</label>', page, re.S).group(0)
    assert "asteriskField" not in label and "可选" in label
