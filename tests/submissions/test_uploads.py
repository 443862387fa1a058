"""sniff(): uploads are judged by their bytes. Every file is built here, in memory."""

import io
import struct
import zipfile
import zlib

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from submissions.uploads import (
    MAX_ATTACHMENT_BYTES,
    MAX_DOCX_IMPORT_BYTES,
    UploadKind,
    UploadRejected,
    sniff,
)

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


# --- building files -----------------------------------------------------------------------


def png_bytes(width=1, height=1):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00" * width)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_bytes():
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"


def gif_bytes():
    return b"GIF89a" + struct.pack("<HH", 1, 1) + b"\x00\x00\x00" + b"\x2c" + b"\x00" * 9 + b"\x02\x02\x44\x01\x00;"


def pdf_bytes():
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def docx_bytes():
    document = docx.Document()
    document.add_heading("关于开展安全生产大检查的通知", level=0)
    document.add_paragraph("各县（市、区）人民政府，市直各部门：")
    document.add_paragraph("为切实做好安全生产工作，现将有关事项通知如下。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "单位"
    table.cell(0, 1).text = "人数"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def rezip(data, *, replace=None, add=None, drop=()):
    """A copy of the zip `data` with members replaced, added or dropped."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            content = src.read(info)
            if info.filename in replace:
                content = replace[info.filename](content)
            dst.writestr(info.filename, content)
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def make_zip(members, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


def content_types(main_part, main_type):
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{main_part}" ContentType="{main_type}"/>'
        "</Types>"
    )


def xlsx_bytes():
    return make_zip(
        {
            "[Content_Types].xml": content_types("/xl/workbook.xml", EXCEL_MAIN),
            "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        }
    )


def reject(data, **kwargs):
    with pytest.raises(UploadRejected) as excinfo:
        sniff(io.BytesIO(data), **kwargs)
    assert str(excinfo.value) == excinfo.value.message
    return excinfo.value


# --- accepted files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "key", "extension", "content_type"),
    [
        (png_bytes(), "image", ".png", "image/png"),
        (jpeg_bytes(), "image", ".jpg", "image/jpeg"),
        (gif_bytes(), "image", ".gif", "image/gif"),
        (pdf_bytes(), "pdf", ".pdf", "application/pdf"),
        (docx_bytes(), "word", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (xlsx_bytes(), "excel", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepts_allowed_types(data, key, extension, content_type):
    kind = sniff(io.BytesIO(data))
    assert isinstance(kind, UploadKind)
    assert (kind.key, kind.extension, kind.content_type) == (key, extension, content_type)
    assert kind.label == {"image": "图片", "pdf": "PDF", "word": "Word 文档", "excel": "Excel 表格"}[key]


def test_limits():
    assert MAX_ATTACHMENT_BYTES == 20 * 1024 * 1024
    assert MAX_DOCX_IMPORT_BYTES == 10 * 1024 * 1024


def test_content_wins_over_the_name():
    assert sniff(io.BytesIO(png_bytes()), name="photo.jpg").extension == ".png"
    assert sniff(io.BytesIO(docx_bytes()), name="报表.xlsx").key == "word"
    assert sniff(io.BytesIO(xlsx_bytes()), name="通知.docx").key == "excel"
    assert sniff(io.BytesIO(pdf_bytes()), name="scan.png").key == "pdf"


def test_django_uploaded_file_and_position_restored():
    upload = SimpleUploadedFile("通知.docx", docx_bytes())
    upload.read(10)
    assert sniff(upload).key == "word"
    assert upload.tell() == 0
    assert upload.read(2) == b"PK"


def test_position_restored_after_rejection():
    f = io.BytesIO(b"MZ" + b"\x00" * 100)
    f.seek(50)
    with pytest.raises(UploadRejected):
        sniff(f)
    assert f.tell() == 0


def test_minimal_xlsx_by_presence_of_workbook():
    # No override for the main part: the workbook's location decides.
    data = make_zip(
        {
            "[Content_Types].xml": content_types("/docProps/app.xml", "application/xml"),
            "xl/workbook.xml": "<workbook/>",
        }
    )
    assert sniff(io.BytesIO(data)).key == "excel"


# --- size -----------------------------------------------------------------------------------


def test_empty_file():
    error = reject(b"")
    assert error.code == "empty"
    assert "空" in error.message


def test_oversized_file():
    data = b"%PDF-1.4\n" + b"0" * (1536 * 1024) + b"%%EOF\n"
    error = reject(data, max_bytes=1024 * 1024)
    assert error.code == "too_large"
    assert error.message == "文件过大：1.5 MB，上限为 1 MB。"


def test_oversized_at_the_default_limit(tmp_path):
    path = tmp_path / "big.pdf"
    with open(path, "wb") as f:
        f.truncate(MAX_ATTACHMENT_BYTES + 1)  # sparse: nothing is written
    with open(path, "rb") as f, pytest.raises(UploadRejected) as excinfo:
        sniff(f)
    assert excinfo.value.message == "文件过大：20.1 MB，上限为 20 MB。"


def test_exactly_at_the_limit_is_accepted():
    data = pdf_bytes()
    assert sniff(io.BytesIO(data), max_bytes=len(data)).key == "pdf"


# --- unsupported types ------------------------------------------------------------------------


def test_exe_renamed_png():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100 + b"This program cannot be run"
    error = reject(exe, name="photo.png")
    assert error.code == "unsupported"
    assert "不支持该文件类型" in error.message
    for allowed in ("PNG", "JPEG", "GIF", "PDF", ".docx", ".xlsx"):
        assert allowed in error.message


def test_plain_text_is_rejected():
    error = reject("这是一段纯文本。".encode(), name="note.txt")
    assert error.code == "unsupported"


def test_webp_gets_a_specific_message():
    error = reject(b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40, name="a.webp")
    assert "WebP" in error.message
    assert "PNG" in error.message


def test_legacy_word_document():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64
    error = reject(ole, name="通知.doc")
    assert error.code == "legacy_office"
    assert ".docx" in error.message
    assert "宏" in error.message
    assert "另存为" in error.message


def test_legacy_excel_by_name():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    error = reject(ole, name="统计.xls")
    assert ".xlsx" in error.message
    assert "宏" in error.message


def test_bare_ole_header():
    error = reject(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert error.code == "legacy_office"
    assert ".docx" in error.message and ".xlsx" in error.message


def test_password_protected_office_file():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le")
    error = reject(ole, name="机密.docx")
    assert error.code == "encrypted"
    assert "密码" in error.message


# --- macros -------------------------------------------------------------------------------


def test_docm_like_file():
    data = rezip(
        docx_bytes(),
        replace={"[Content_Types].xml": lambda ct: ct.replace(WORD_MAIN.encode(), WORD_MACRO_MAIN.encode())},
        add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100},
    )
    error = reject(data, name="通知.docx")
    assert error.code == "macro"
    assert "含有宏的文件不能上传" in error.message


def test_vba_project_anywhere_is_a_macro():
    data = rezip(docx_bytes(), add={"customXml/VBAProject.bin": b"\x00" * 10})
    assert reject(data).code == "macro"


def test_macro_enabled_content_type_alone_is_a_macro():
    data = make_zip(
        {
            "[Content_Types].xml": content_types(
                "/xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
            ),
            "xl/workbook.xml": "<workbook/>",
        }
    )
    assert "含有宏的文件不能上传" in reject(data).message


def test_word_template_is_rejected():
    template = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    data = rezip(
        docx_bytes(),
        replace={"[Content_Types].xml": lambda ct: ct.replace(WORD_MAIN.encode(), template.encode())},
    )
    error = reject(data)
    assert error.code == "template"
    assert ".docx" in error.message


# --- zip bombs and broken zips -----------------------------------------------------------------


def test_zip_bomb_by_total_size():
    out = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", content_types("/xl/workbook.xml", EXCEL_MAIN))
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(200):
                member.write(chunk)
    assert out.tell() < 2 * 1024 * 1024
    error = reject(out.getvalue(), name="统计.xlsx")
    assert error.code == "zip_bomb"
    assert "解压后过大" in error.message
    assert "100 MB" in error.message


def test_zip_bomb_by_ratio():
    data = make_zip(
        {
            "[Content_Types].xml": content_types("/xl/workbook.xml", EXCEL_MAIN),
            "xl/workbook.xml": "<workbook/>",
            "xl/worksheets/sheet1.xml": bytes(5 * 1024 * 1024),
        }
    )
    error = reject(data)
    assert error.code == "zip_bomb"
    assert "压缩比" in error.message


def test_zip_with_too_many_members():
    members = {"[Content_Types].xml": content_types("/xl/workbook.xml", EXCEL_MAIN), "xl/workbook.xml": "<w/>"}
    members.update({f"xl/media/{i}.xml": "" for i in range(2000)})
    error = reject(make_zip(members, zipfile.ZIP_STORED))
    assert error.code == "zip_bomb"
    assert "条目过多" in error.message


def test_truncated_docx():
    data = docx_bytes()
    error = reject(data[: len(data) // 2], name="通知.docx")
    assert error.code == "corrupt"
    assert "文件已损坏" in error.message


def test_damaged_member_fails_its_crc():
    payload = b"<workbook>" + b"x" * 200 + b"</workbook>"
    data = bytearray(
        make_zip(
            {"[Content_Types].xml": content_types("/xl/workbook.xml", EXCEL_MAIN), "xl/workbook.xml": payload},
            zipfile.ZIP_STORED,
        )
    )
    at = bytes(data).index(b"x" * 200)
    data[at + 100] = ord("y")
    error = reject(bytes(data))
    assert "文件已损坏" in error.message


def test_plain_zip_is_not_an_office_document():
    error = reject(make_zip({"readme.txt": "说明", "photo.png": png_bytes()}), name="材料.zip")
    assert error.code == "not_office"
    assert "不是 Word 文档或 Excel 表格" in error.message


def test_empty_zip():
    assert reject(make_zip({})).code == "not_office"


def test_other_office_document_is_not_word_or_excel():
    pptx_main = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    data = make_zip(
        {"[Content_Types].xml": content_types("/ppt/presentation.xml", pptx_main), "ppt/presentation.xml": "<p/>"}
    )
    assert reject(data, name="汇报.pptx").code == "not_office"


# --- damaged images and PDFs -----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 30,
        b"\xff\xd8\xff",
        b"GIF89a\x00\x00\x00\x00",
        b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n",
    ],
    ids=["png-signature-only", "png-without-ihdr", "jpeg-soi-only", "gif-zero-size", "pdf-without-eof"],
)
def test_damaged_headers(data):
    error = reject(data)
    assert error.code == "corrupt"
    assert "文件已损坏" in error.message


# --- active content in PDFs (the PDF equivalent of macros) ----------------------------------


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj", "JavaScript"),
        (b"1 0 obj\n<< /Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (x) >> >>\nendobj", "JavaScript"),
        (b"1 0 obj\n<< /Type /Action /S /Launch /F (cmd.exe) >>\nendobj", "启动外部程序"),
        (b"1 0 obj\n<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>\nendobj", "嵌入文件"),
        (b"1 0 obj\n<< /Type /Catalog /AcroForm << /XFA 3 0 R >> >>\nendobj", "XFA"),
    ],
    ids=["javascript", "escaped-name", "launch", "embedded-file", "xfa"],
)
def test_pdf_with_active_content_is_rejected(body, what):
    exc = reject(pdf_with(body))
    assert exc.code == "macro"
    assert what in exc.message
    assert "不能上传" in exc.message


def test_pdf_hiding_javascript_in_a_compressed_object_stream_is_rejected():
    hidden = zlib.compress(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>")
    body = (
        b"1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        b"2 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(hidden)
        + hidden
        + b"\nendstream\nendobj"
    )
    assert reject(pdf_with(body)).code == "macro"


def test_pdf_with_links_and_compressed_page_content_is_accepted():
    content = zlib.compress(b"BT /F1 12 Tf (JavaScript /JS in page text) Tj ET")
    body = (
        b"1 0 obj\n<< /Type /Catalog /OpenAction [3 0 R /Fit] >>\nendobj\n"
        b"2 0 obj\n<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://example.gov.cn) >> >>\nendobj\n"
        b"4 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(content) + content + b"\nendstream\nendobj"
    )
    assert sniff(io.BytesIO(pdf_with(body))).key == "pdf"
