"""import_docx(): a Word draft becomes a title and a plain-text body. Every .docx is made
here with python-docx."""

import io
import struct
import zipfile
import zlib

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt

from submissions.docx_import import ImportedDraft, import_docx
from submissions.uploads import UploadRejected

TITLE = "关于开展安全生产大检查的通知"
BODY = [
    "各县（市、区）人民政府，市直各部门：",
    "为切实做好安全生产工作，现将有关事项通知如下。",
    "一、检查时间：2026年5月1日至5月31日。",
]


def png_bytes():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )


def saved(document):
    buf = io.BytesIO()
    document.save(buf)
    buf.seek(0)
    return buf


def body_paragraphs(document, paragraphs=BODY):
    for text in paragraphs:
        document.add_paragraph(text)


def reject(fileobj, **kwargs):
    with pytest.raises(UploadRejected) as excinfo:
        import_docx(fileobj, **kwargs)
    return excinfo.value


# --- title ----------------------------------------------------------------------------------


def test_title_style_body_and_table_warning():
    document = docx.Document()
    document.add_heading(TITLE, level=0)
    document.add_paragraph("")
    document.add_paragraph("　　" + BODY[0] + "  ")  # full-width indentation is stripped
    document.add_paragraph("   ")
    body_paragraphs(document, BODY[1:])
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "单位"
    table.cell(1, 0).text = "昆明市"
    document.add_paragraph("昆明市人民政府办公室")

    draft = import_docx(saved(document))

    assert isinstance(draft, ImportedDraft)
    assert draft.title == TITLE
    # the table stays where it was, as a simple table (common.tables), one line a row
    assert draft.body == "\n".join([*BODY, "| 单位 |  |", "| 昆明市 |  |", "昆明市人民政府办公室"])
    assert draft.warnings == ["文档中的 1 张表格已按简单表格导入（每行一个“| … |”），合并单元格已拆开，请核对。"]


def test_heading_1_is_the_title():
    document = docx.Document()
    document.add_heading(TITLE, level=1)
    body_paragraphs(document)
    draft = import_docx(saved(document))
    assert draft.title == TITLE
    assert draft.body == "\n".join(BODY)
    assert draft.warnings == []


def test_heading_1_after_a_document_number():
    document = docx.Document()
    document.add_paragraph("昆发改〔2026〕12号")
    document.add_heading(TITLE, level=1)
    body_paragraphs(document)
    draft = import_docx(saved(document))
    assert draft.title == TITLE
    assert draft.body == "\n".join(["昆发改〔2026〕12号", *BODY])


def test_centred_bold_paragraph_is_the_title():
    document = docx.Document()
    body_paragraphs(document, ["这段文字不是标题，只是一段很长的说明文字，" * 4])
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(TITLE).bold = True
    body_paragraphs(document)
    draft = import_docx(saved(document))
    assert draft.title == TITLE
    assert draft.body.splitlines()[1:] == BODY


def test_centred_large_paragraph_is_the_title():
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(TITLE).font.size = Pt(22)  # 二号
    body_paragraphs(document)
    assert import_docx(saved(document)).title == TITLE


def test_centred_body_sized_text_is_not_a_title_by_format():
    document = docx.Document()
    body_paragraphs(document, ["这是第一段很长很长的正文内容，没有任何标题格式。" * 4])
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("（2026年5月1日）").font.size = Pt(16)  # 三号, the body size
    body_paragraphs(document)
    draft = import_docx(saved(document))
    assert draft.title == ""
    assert "未能识别标题，请手动填写。" in draft.warnings


def test_short_first_paragraph_is_taken_as_title():
    document = docx.Document()
    body_paragraphs(document, [TITLE, *BODY])
    draft = import_docx(saved(document))
    assert draft.title == TITLE
    assert draft.body == "\n".join(BODY)


def test_long_first_paragraph_is_not_a_title():
    document = docx.Document()
    long_first = (
        "为深入贯彻落实党中央、国务院关于安全生产的决策部署，"
        "切实防范化解重大安全风险，坚决遏制重特大事故发生，确保全市安全生产形势持续稳定向好"
    )
    assert len(long_first) > 60
    body_paragraphs(document, [long_first, *BODY])
    draft = import_docx(saved(document))
    assert draft.title == ""
    assert draft.body == "\n".join([long_first, *BODY])
    assert draft.warnings == ["未能识别标题，请手动填写。"]


def test_salutation_is_not_taken_as_title():
    document = docx.Document()
    body_paragraphs(document)  # starts with "…市直各部门："
    draft = import_docx(saved(document))
    assert draft.title == ""
    assert draft.body == "\n".join(BODY)


def test_single_paragraph_is_body_not_title():
    document = docx.Document()
    body_paragraphs(document, [BODY[1]])
    draft = import_docx(saved(document))
    assert draft.title == ""
    assert draft.body == BODY[1]


def test_title_label_is_stripped():
    document = docx.Document()
    body_paragraphs(document, [f"标题：{TITLE}", *BODY])
    assert import_docx(saved(document)).title == TITLE

    document = docx.Document()
    document.add_heading(f"标题: {TITLE}", level=1)
    body_paragraphs(document)
    assert import_docx(saved(document)).title == TITLE


def test_title_over_two_lines_is_joined():
    document = docx.Document()
    heading = document.add_heading("关于开展安全生产", level=0)
    run = heading.add_run()
    run.add_break()
    run.add_text("大检查的通知")
    body_paragraphs(document)
    assert import_docx(saved(document)).title == TITLE


def test_title_only():
    document = docx.Document()
    document.add_heading(TITLE, level=0)
    draft = import_docx(saved(document))
    assert draft.title == TITLE
    assert draft.body == ""
    assert draft.warnings == ["文档中只有标题，没有正文。"]


# --- what is not imported ---------------------------------------------------------------------


def test_pictures_and_tables_are_reported():
    document = docx.Document()
    document.add_heading(TITLE, level=0)
    body_paragraphs(document)
    document.add_picture(io.BytesIO(png_bytes()))
    document.add_picture(io.BytesIO(png_bytes()))
    document.add_table(rows=1, cols=1)
    document.add_table(rows=1, cols=1)
    document.add_table(rows=1, cols=1)
    draft = import_docx(saved(document))
    assert draft.body == "\n".join(BODY)  # empty tables add nothing
    assert any(w.startswith("文档中的 3 张表格已按简单表格导入") for w in draft.warnings)
    assert "文档中的 2 张图片未导入，请作为附件上传。" in draft.warnings


def test_a_table_keeps_its_cells_merged_ones_repeated_and_bars_made_full_width():
    document = docx.Document()
    document.add_heading(TITLE, level=0)
    document.add_paragraph(BODY[0])
    table = document.add_table(rows=3, cols=3)
    for col, head in enumerate(["指标", "1—10月", "同比"]):
        table.cell(0, col).text = head
    table.cell(1, 0).text = "交易额|亿元"
    table.cell(1, 1).text = "217.0"
    table.cell(1, 2).text = "12.5%"
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.text = "全省合计"
    document.add_paragraph(BODY[1])
    draft = import_docx(saved(document))
    assert draft.body.split("\n") == [
        BODY[0],
        "| 指标 | 1—10月 | 同比 |",
        "| 交易额｜亿元 | 217.0 | 12.5% |",
        "| 全省合计 | 全省合计 | 全省合计 |",
        BODY[1],
    ]


def test_tracked_changes_read_as_accepted():
    document = docx.Document()
    document.add_heading(TITLE, level=0)
    paragraph = document.add_paragraph("现将有关事项")
    paragraph._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="1" w:author="a" w:date="2026-05-01T00:00:00Z">'
            "<w:r><w:t>通知如下</w:t></w:r></w:ins>"
        )
    )
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="a" w:date="2026-05-01T00:00:00Z">'
            "<w:r><w:delText>（草稿）</w:delText></w:r></w:del>"
        )
    )
    paragraph.add_run("。")
    draft = import_docx(saved(document))
    assert draft.body == "现将有关事项通知如下。"
    assert any("修订" in w for w in draft.warnings)


# --- refusals -----------------------------------------------------------------------------------


def test_empty_document():
    document = docx.Document()
    document.add_paragraph("")
    document.add_paragraph("   ")
    error = reject(saved(document))
    assert error.message == "文档中没有文字内容。"


def test_document_with_only_a_table():
    document = docx.Document()
    document.add_table(rows=1, cols=1).cell(0, 0).text = "表格里的字"
    error = reject(saved(document))
    assert error.message.startswith("文档中没有文字内容。")
    assert "表格" in error.message


@pytest.mark.parametrize(
    "data",
    [
        png_bytes(),
        b"%PDF-1.4\n%%EOF\n",
        "纯文本文件".encode(),
        b"MZ\x90\x00" + b"\x00" * 60,
    ],
    ids=["png", "pdf", "text", "exe"],
)
def test_not_a_word_document(data):
    assert reject(io.BytesIO(data)).message == "请上传 .docx 格式的 Word 文档。"


def test_xlsx_is_not_a_word_document():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        zf.writestr("xl/workbook.xml", "<workbook/>")
    out.seek(0)
    assert reject(out).message == "请上传 .docx 格式的 Word 文档。"


def test_legacy_doc_is_told_to_save_as_docx():
    ole = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le"))
    error = reject(ole)
    assert ".docx" in error.message
    assert "宏" in error.message


def test_macro_document_is_refused():
    document = docx.Document()
    body_paragraphs(document)
    source = saved(document).getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("word/vbaProject.bin", b"\x00" * 16)
    out.seek(0)
    assert "含有宏的文件不能上传" in reject(out).message


def test_truncated_docx():
    document = docx.Document()
    body_paragraphs(document)
    data = saved(document).getvalue()
    assert "文件已损坏" in reject(io.BytesIO(data[: len(data) - 200])).message


def test_unreadable_word_package():
    # Looks like a .docx to sniff(), but python-docx cannot open it (no relationships,
    # malformed XML).
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        zf.writestr("word/document.xml", "<w:document><unclosed>")
    out.seek(0)
    error = reject(out)
    assert error.message == "无法读取该 Word 文档，文件可能已损坏。"
    assert out.tell() == 0


def test_too_large_for_import():
    document = docx.Document()
    body_paragraphs(document)
    error = reject(saved(document), max_bytes=1024)
    assert error.message.startswith("文件过大：")
    assert "上限为" in error.message


def test_django_upload_and_position_restored():
    document = docx.Document()
    document.add_heading(TITLE, level=1)
    body_paragraphs(document)
    upload = SimpleUploadedFile("草稿.docx", saved(document).getvalue())
    draft = import_docx(upload)
    assert draft.title == TITLE
    assert upload.tell() == 0
