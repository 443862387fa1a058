"""sniff(): uploads are judged by their bytes. Every file is built here, in memory."""

import io
import struct
import zipfile
import zlib

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from submissions import uploads
from submissions.uploads import (
    MAX_ATTACHMENT_BYTES,
    MAX_DOCX_IMPORT_BYTES,
    UploadKind,
    UploadRejected,
    sniff,
)
from tests.submissions.pdf_files import catalog, minimal_pdf, pdf_file, stream

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
    return minimal_pdf()


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


def pdf_with(extra: bytes, **objects: bytes) -> bytes:
    """A PDF whose catalog carries `extra`; `objects` as o4=…, o5=… add objects 4, 5."""
    return pdf_file({1: catalog(extra), **{int(k[1:]): v for k, v in objects.items()}})


ACTIVE_PDFS = [
    (pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "JavaScript"),
    (pdf_with(b"/OpenAction << /S /J#61vaScript /J#53 (x) >>"), "JavaScript"),
    (pdf_with(b"/OpenAction 4 0 R", o4=b"<< /Type /Action /S /Launch /F (cmd.exe) >>"), "启动外部程序"),
    (pdf_with(b"/Names << /EmbeddedFiles 4 0 R >>", o4=b"<< /Names [] >>"), "嵌入文件"),
    (pdf_with(b"/AcroForm << /Fields [] /XFA 4 0 R >>", o4=stream(b"<xdp:xdp/>")), "XFA"),
]
ACTIVE_IDS = ["javascript", "escaped-name", "launch", "embedded-file", "xfa"]


@pytest.mark.parametrize(("data", "what"), ACTIVE_PDFS, ids=ACTIVE_IDS)
def test_pdf_with_active_content_is_rejected(data, what):
    exc = reject(data)
    assert exc.code == "macro"
    assert what in exc.message
    assert "不能上传" in exc.message


@pytest.mark.parametrize(("data", "what"), ACTIVE_PDFS, ids=ACTIVE_IDS)
def test_parsed_pdf_walk_finds_active_content_without_the_raw_scan(data, what):
    # The parser's walk alone must see everything the raw byte scan sees.
    assert what in uploads._pdf_parsed_active_content(data)


def test_pdf_hiding_javascript_in_a_compressed_object_stream_is_rejected():
    data = pdf_file(
        {1: catalog(b"/OpenAction 5 0 R")},
        packed={5: b"<< /S /JavaScript /JS (app.alert(1)) >>"},
        filters=("/FlateDecode",),
    )
    assert reject(data).code == "macro"


OPEN_ACTION_JS = b"<< /S /JavaScript /JS (app.alert(1)) >>"


@pytest.mark.parametrize(
    "filters",
    [
        ("/ASCIIHexDecode",),
        ("/ASCIIHexDecode", "/FlateDecode"),
        ("/ASCII85Decode",),
        ("/ASCII85Decode", "/FlateDecode"),
        ("/LZWDecode",),
        ("/RunLengthDecode",),
        ("/ASCIIHexDecode", "/ASCII85Decode", "/FlateDecode"),
    ],
    ids=["asciihex", "asciihex-flate", "ascii85", "ascii85-flate", "lzw", "runlength", "three-filters"],
)
def test_pdf_javascript_in_object_stream_behind_any_standard_filter_is_rejected(filters):
    data = pdf_file({1: catalog(b"/OpenAction 5 0 R")}, packed={5: OPEN_ACTION_JS}, filters=filters)
    if filters != ("/RunLengthDecode",):  # run-length keeps literal text readable
        assert b"JavaScript" not in data  # hidden from a scan of the raw bytes
    exc = reject(data)
    assert exc.code == "macro"
    assert "JavaScript" in exc.message


@pytest.mark.parametrize(
    ("plain", "packed", "what"),
    [
        # A link annotation on the page whose action is a script.
        (
            {1: catalog(), 3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [6 0 R] >>"},
            {6: b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /JavaScript /JS 7 0 R >> >>"},
            "JavaScript",
        ),
        # A form field's additional actions (/AA), run on a keystroke.
        (
            {1: catalog(b"/AcroForm << /Fields [6 0 R] >>")},
            {6: b"<< /FT /Tx /T (x) /AA << /K << /S /JavaScript /JS (x) >> >> >>"},
            "JavaScript",
        ),
        # The document-level scripts in the names tree.
        (
            {1: catalog(b"/Names 6 0 R")},
            {6: b"<< /JavaScript << /Names [(init) 7 0 R] >> >>", 7: b"<< /S /JavaScript /JS (x) >>"},
            "JavaScript",
        ),
        ({1: catalog(b"/Names 6 0 R")}, {6: b"<< /EmbeddedFiles << /Names [] >> >>"}, "嵌入文件"),
        ({1: catalog(b"/OpenAction 6 0 R")}, {6: b"<< /S /Launch /F (cmd.exe) >>"}, "启动外部程序"),
        ({1: catalog(b"/AcroForm 6 0 R")}, {6: b"<< /Fields [] /XFA [] >>"}, "XFA"),
        ({1: catalog(b"/OpenAction 6 0 R")}, {6: b"<< /S /SubmitForm /F (https://x.example) >>"}, "表单提交"),
        ({1: catalog(b"/OpenAction 6 0 R")}, {6: b"<< /S /ImportData /F (data.fdf) >>"}, "导入数据"),
        ({1: catalog(b"/OpenAction 6 0 R")}, {6: b"<< /Type /Annot /Subtype /RichMedia >>"}, "富媒体"),
    ],
    ids=["annotation-action", "field-additional-action", "names-tree", "embedded-files", "launch", "xfa",
         "submit-form", "import-data", "rich-media"],
)  # fmt: skip
def test_pdf_active_content_inside_hex_encoded_object_streams_is_rejected(plain, packed, what):
    data = pdf_file(plain, packed=packed, filters=("/ASCIIHexDecode", "/FlateDecode"))
    exc = reject(data)
    assert exc.code == "macro"
    assert what in exc.message


def test_pdf_javascript_in_an_owner_password_encrypted_file_is_rejected():
    # Opens without a password, so a reader runs it; its object streams are encrypted,
    # so only a parser that decrypts can see inside.
    pikepdf = pytest.importorskip("pikepdf")
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("x")))
    out = io.BytesIO()
    pdf.save(
        out,
        encryption=pikepdf.Encryption(owner="owner-secret", user="", aes=True),
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    assert reject(out.getvalue()).code == "macro"


def test_pdf_with_an_open_password_is_rejected_as_encrypted():
    pikepdf = pytest.importorskip("pikepdf")
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="open-secret"))
    exc = reject(out.getvalue())
    assert exc.code == "encrypted"
    assert "打开密码" in exc.message


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        b"%PDF-1.7\n" + b"garbage " * 100 + b"\n%%EOF\n",
    ],
    ids=["no-trailer", "no-page-tree", "garbage"],
)
def test_pdf_the_parser_cannot_read_is_refused(data):
    exc = reject(data)
    assert exc.code == "corrupt"
    assert exc.message == "文件已损坏（PDF 文件结构无法解析），无法读取。请重新保存或导出后再上传。"
    assert exc.detected == "pdf"


def test_pdf_with_links_and_compressed_page_content_is_accepted():
    content = zlib.compress(b"BT /F1 12 Tf (JavaScript /JS in page text) Tj ET")
    data = pdf_file(
        {
            1: catalog(b"/OpenAction [3 0 R /Fit]"),
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Annots [4 0 R] >>",
            4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (https://example.gov.cn) >> >>",
            5: stream(content, b"/Filter /FlateDecode"),
        }
    )
    assert sniff(io.BytesIO(data)).key == "pdf"


def test_pdf_with_hex_encoded_object_stream_and_nothing_active_is_accepted():
    data = pdf_file(
        {1: catalog(b"/Outlines 5 0 R")},
        packed={5: b"<< /Type /Outlines /Count 0 >>", 6: b"<< /S /URI /URI (https://example.gov.cn) >>"},
        filters=("/ASCIIHexDecode", "/FlateDecode"),
    )
    assert sniff(io.BytesIO(data)).key == "pdf"


def test_pdf_written_by_a_real_library_with_object_streams_is_accepted():
    pikepdf = pytest.importorskip("pikepdf")
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Title"] = "关于安全生产的报告"
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert sniff(io.BytesIO(out.getvalue())).key == "pdf"


# --- Word documents that load outside content or run programs through fields --------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
ATTACHED_TEMPLATE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
DDE_SIMPLE = '<w:p><w:fldSimple w:instr=" DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe &quot;/k calc&quot; "/></w:p>'
# A complex field whose code Word split over runs, in lower case.
DDE_COMPLEX = (
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> dd</w:instrText></w:r>'
    '<w:r><w:instrText xml:space="preserve">e "c:\\\\windows\\\\system32\\\\cmd.exe" "/k calc"</w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
)
PAGE_FIELD = (
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>DDE</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    '<w:p><w:fldSimple w:instr=" HYPERLINK &quot;https://example.gov.cn/dde-guide&quot; "/></w:p>'
)


def word_with_header_and_footer():
    document = docx.Document()
    document.add_paragraph("市发展改革委召开重大项目调度会。")
    document.sections[0].header.paragraphs[0].text = "页眉"
    document.sections[0].footer.paragraphs[0].text = "页脚"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def insert_paragraphs(xml: bytes, paragraphs: str) -> bytes:
    """Put `paragraphs` first in the body of a document part, or in a header/footer."""
    text = xml.decode()
    for opening in ("<w:body>", "<w:hdr", "<w:ftr"):
        at = text.find(opening)
        if at >= 0:
            end = text.index(">", at) + 1
            return (text[:end] + paragraphs + text[end:]).encode()
    raise AssertionError("no place for the paragraphs")


def with_settings_rels(data: bytes, target: str, mode: str | None) -> bytes:
    mode_attr = f' TargetMode="{mode}"' if mode else ""
    rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{ATTACHED_TEMPLATE}" Target="{target}"{mode_attr}/></Relationships>'
    )
    settings = lambda xml: xml.replace(  # noqa: E731
        b"</w:settings>",
        b'<w:attachedTemplate xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        b'r:id="rId1"/></w:settings>',
    )
    return rezip(data, replace={"word/settings.xml": settings}, add={"word/_rels/settings.xml.rels": rels})


@pytest.mark.parametrize(
    "target",
    ["http://192.0.2.10/templates/report.dotm", "\\\\fileserver\\share\\公文.dotm", "file:///C:/Templates/公文.dotx"],
    ids=["http", "unc", "file"],
)
def test_word_with_external_attached_template_is_rejected(target):
    exc = reject(with_settings_rels(docx_bytes(), target, "External"))
    assert exc.code == "external_template"
    assert "外部" in exc.message and "不能上传" in exc.message


def test_word_with_template_inside_the_package_is_accepted():
    assert sniff(io.BytesIO(with_settings_rels(docx_bytes(), "template.dotx", None))).key == "word"


@pytest.mark.parametrize("field", [DDE_SIMPLE, DDE_COMPLEX], ids=["fldSimple", "instrText-split-lowercase"])
@pytest.mark.parametrize("part", ["word/document.xml", "word/header1.xml", "word/footer1.xml"])
def test_word_with_dde_field_is_rejected(field, part):
    data = rezip(word_with_header_and_footer(), replace={part: lambda xml: insert_paragraphs(xml, field)})
    exc = reject(data)
    assert exc.code == "dde"
    assert "DDE" in exc.message and "不能上传" in exc.message


def test_word_with_dde_field_in_footnotes_is_rejected():
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {W}>'
        f'<w:footnote w:id="1">{DDE_COMPLEX}</w:footnote></w:footnotes>'
    )
    assert reject(rezip(docx_bytes(), add={"word/footnotes.xml": footnotes})).code == "dde"


def test_word_with_ordinary_fields_is_accepted():
    data = rezip(docx_bytes(), replace={"word/document.xml": lambda xml: insert_paragraphs(xml, PAGE_FIELD)})
    assert sniff(io.BytesIO(data)).key == "word"


def test_word_import_refuses_dde_and_external_template_too():
    from submissions.docx_import import import_docx

    dde = rezip(docx_bytes(), replace={"word/document.xml": lambda xml: insert_paragraphs(xml, DDE_SIMPLE)})
    template = with_settings_rels(docx_bytes(), "https://192.0.2.10/t.dotm", "External")
    for data, code in ((dde, "dde"), (template, "external_template")):
        with pytest.raises(UploadRejected) as excinfo:
            import_docx(io.BytesIO(data))
        assert excinfo.value.code == code


def test_pdf_object_stream_that_inflates_past_the_limit_is_refused_not_inflated(monkeypatch):
    # 150 MB of spaces compress to about 150 KB; qpdf stops at 100 MB and the file is
    # refused as unreadable instead of filling the web worker's memory.
    from tests.submissions import pdf_files

    deflater = zlib.compressobj()
    header = b"5 0\n<< /S /URI /URI (x) >>\n"
    blob = deflater.compress(header) + b"".join(deflater.compress(b" " * 10 * 2**20) for _ in range(15))
    blob += deflater.flush()
    monkeypatch.setattr(pdf_files, "encode", lambda data, filters: blob)
    data = pdf_file({1: catalog(b"/OpenAction 5 0 R")}, packed={5: b"<< /S /URI /URI (x) >>"})
    assert len(data) < 1024 * 1024
    assert reject(data).code == "corrupt"
