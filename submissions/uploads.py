"""Validation of uploaded attachments by their content, never by their name.

`sniff()` looks at the bytes of an upload and says what it really is: a PNG, JPEG or GIF
image, a PDF, a Word document (.docx) or an Excel workbook (.xlsx). Anything else is
refused with `UploadRejected`, whose message is a Chinese sentence meant for the user.

Office Open XML files are zip archives; they are inspected in memory (never extracted to
disk): the central directory is checked against zip bombs, macro-enabled packages are
refused, and every member's CRC is verified so a damaged file is caught at upload time.
Word files that load a template from outside or carry DDE fields are refused too.

PDFs are parsed with qpdf (pikepdf) and every object is looked at, including those in
object streams behind any filter; scripts, launch actions, embedded files, XFA and
data-sending actions are refused, and so is a PDF qpdf cannot parse.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
import zlib
from dataclasses import dataclass

import pikepdf
from lxml import etree

MB = 1024 * 1024

MAX_ATTACHMENT_BYTES = 20 * MB
MAX_DOCX_IMPORT_BYTES = 10 * MB

# Zip-bomb limits for Office Open XML packages (checked on the declared sizes in the
# central directory; Python's zipfile never inflates a member beyond its declared size).
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_UNCOMPRESSED_BYTES = 100 * MB
MAX_ZIP_RATIO = 100
# The ratio is only meaningful for members big enough to hurt: a 40 KB styles.xml full of
# repeated markup may legitimately compress 100-fold.
ZIP_RATIO_MIN_MEMBER_BYTES = 1 * MB
MAX_CONTENT_TYPES_BYTES = 1 * MB

ALLOWED_TYPES_TEXT = "只能上传图片（PNG、JPEG、GIF）、PDF、Word 文档（.docx）或 Excel 表格（.xlsx）。"


class UploadRejected(Exception):
    """An upload we refuse. `message` is a clear Chinese sentence for the user; `code`
    says why, for callers that react differently to different reasons:

    ``empty``, ``too_large``, ``unsupported`` (not a type we accept), ``legacy_office``
    (OLE .doc/.xls), ``encrypted``, ``template`` (.dotx/.xltx), ``macro``, ``zip_bomb``,
    ``corrupt``, ``not_office`` (a zip that is not a Word or Excel document),
    ``external_template`` (a Word file that loads a template or document from outside),
    ``dde`` (a Word file with DDE fields), ``not_word`` (docx import only).

    `detected` is the kind of file the bytes were recognised as before it was refused
    ("pdf", "image" …), or "" when not even that is known.
    """

    def __init__(self, message: str, *, code: str = "invalid", detected: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.detected = detected

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class UploadKind:
    key: str  # "image", "pdf", "word", "excel"
    label: str  # "图片", "PDF", "Word 文档", "Excel 表格"
    extension: str  # the normalised extension we store under
    content_type: str


PNG = UploadKind("image", "图片", ".png", "image/png")
JPEG = UploadKind("image", "图片", ".jpg", "image/jpeg")
GIF = UploadKind("image", "图片", ".gif", "image/gif")
PDF = UploadKind("pdf", "PDF", ".pdf", "application/pdf")
DOCX = UploadKind(
    "word",
    "Word 文档",
    ".docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = UploadKind(
    "excel",
    "Excel 表格",
    ".xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

KINDS_BY_CONTENT_TYPE = {kind.content_type: kind for kind in (PNG, JPEG, GIF, PDF, DOCX, XLSX)}
# Extensions that name the same type as the normalised one.
SAME_TYPE_EXTENSIONS = {".jpg": (".jpg", ".jpeg")}


def download_name(original_name: str, content_type: str) -> str:
    """The uploader's file name with the extension of what the file really is (the
    content type `sniff()` found): a PDF uploaded as "通报.html" downloads as "通报.pdf",
    so that the receiving computer opens it as a PDF and nothing else."""
    kind = KINDS_BY_CONTENT_TYPE.get(content_type)
    if kind is None:
        return original_name
    stem, dot, suffix = original_name.rpartition(".")
    if not dot or not stem:
        stem = original_name
    elif f".{suffix.lower()}" in SAME_TYPE_EXTENSIONS.get(kind.extension, (kind.extension,)):
        return original_name
    return f"{stem or '附件'}{kind.extension}"


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
HEAD_BYTES = 64

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
TEMPLATE_MAINS = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
CONTENT_TYPE_ATTR = re.compile(rb"""ContentType\s*=\s*["']([^"']*)["']""")

# Other things people commonly try to upload, for a more helpful refusal.
OTHER_IMAGE_SIGNATURES = (
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


def sniff(fileobj, *, name: str = "", max_bytes: int = MAX_ATTACHMENT_BYTES) -> UploadKind:
    """Return what `fileobj` really is, or raise `UploadRejected`.

    `fileobj` is a Django UploadedFile or any seekable binary file object. Its position
    is set back to 0 afterwards, whether the file is accepted or rejected. `name` (the
    client's file name) is only used to word some messages; the verdict comes from the
    bytes alone.
    """
    if not name:
        name = str(getattr(fileobj, "name", "") or "")
    try:
        fileobj.seek(0, 2)
        size = fileobj.tell()
        fileobj.seek(0)
    except (AttributeError, OSError, ValueError) as exc:
        raise TypeError("sniff() needs a seekable binary file object") from exc
    try:
        return _sniff(fileobj, name=name, size=size, max_bytes=max_bytes)
    finally:
        fileobj.seek(0)


def _sniff(fileobj, *, name: str, size: int, max_bytes: int) -> UploadKind:
    if size == 0:
        raise UploadRejected("文件是空的（0 字节），请重新选择文件。", code="empty")
    if size > max_bytes:
        size_text, limit_text = _mb(size), _mb(max_bytes)
        if float(size_text) <= float(limit_text):  # 20 MB + 1 byte must not read "20 MB"
            size_text = _mb(size, round_up=True)
        raise UploadRejected(f"文件过大：{size_text} MB，上限为 {limit_text} MB。", code="too_large")
    head = fileobj.read(HEAD_BYTES)

    if head.startswith(PNG_SIGNATURE):
        return _check_png(head)
    if head.startswith(b"\xff\xd8\xff"):
        return _check_jpeg(head)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _check_gif(head)
    if head.startswith(b"%PDF-"):
        try:
            return _check_pdf(fileobj, head, size)
        except UploadRejected as exc:
            exc.detected = PDF.key
            raise
    if head.startswith(OLE_SIGNATURE):
        fileobj.seek(0)
        raise _legacy_office(fileobj.read(), name)
    if head.startswith(ZIP_SIGNATURE):
        fileobj.seek(0)
        return _check_ooxml(fileobj)
    if head.startswith(b"PK\x05\x06"):  # an empty zip archive
        raise _not_office()
    raise _unknown(head)


def _mb(n: int, *, round_up: bool = False) -> str:
    """Bytes as MB for a message: one decimal (two below 1 MB), trailing zeros dropped."""
    places = 1 if n >= MB else 2
    scale = 10**places
    value = n / MB * scale
    value = math.ceil(value) if round_up else round(value)
    text = f"{value / scale:.{places}f}".rstrip("0").rstrip(".")
    return text


def _corrupt(detail: str = "") -> UploadRejected:
    return UploadRejected(f"文件已损坏{detail}，无法读取。请重新保存或导出后再上传。", code="corrupt")


def _not_office() -> UploadRejected:
    return UploadRejected(
        "该文件是压缩包或其他类型的 Office 文件，不是 Word 文档或 Excel 表格，不能上传。" + ALLOWED_TYPES_TEXT,
        code="not_office",
    )


# --- images and PDF --------------------------------------------------------------------


def _check_png(head: bytes) -> UploadKind:
    # The first chunk must be IHDR, 13 bytes long, with a non-zero width and height.
    if (
        len(head) < 24
        or head[8:16] != b"\x00\x00\x00\x0dIHDR"
        or int.from_bytes(head[16:20], "big") == 0
        or int.from_bytes(head[20:24], "big") == 0
    ):
        raise _corrupt("（PNG 图片头部不完整）")
    return PNG


def _check_jpeg(head: bytes) -> UploadKind:
    # SOI is followed by another marker: APPn, DQT, SOFn, DHT, COM, ...
    if len(head) < 4 or head[3] < 0xC0 or head[3] == 0xFF:
        raise _corrupt("（JPEG 图片头部不完整）")
    return JPEG


def _check_gif(head: bytes) -> UploadKind:
    if len(head) < 13 or int.from_bytes(head[6:8], "little") == 0 or int.from_bytes(head[8:10], "little") == 0:
        raise _corrupt("（GIF 图片头部不完整）")
    return GIF


def _check_pdf(fileobj, head: bytes, size: int) -> UploadKind:
    if not re.match(rb"%PDF-\d\.\d", head):
        raise _corrupt("（PDF 文件头不正确）")
    # A complete PDF ends with %%EOF (readers look for it in the last 1024 bytes).
    fileobj.seek(max(0, size - 1024))
    if b"%%EOF" not in fileobj.read():
        raise _corrupt("（PDF 文件不完整）")
    fileobj.seek(0)
    data = fileobj.read()
    # Two looks, and either one refuses: the raw text outside streams (what a lenient
    # reader might pick up from objects the cross-reference table no longer points at)
    # and every object as a real parser resolves it, with all filters decoded and object
    # streams unpacked. Stream bodies stay out of the raw look: compressed data is random
    # bytes, where "/JS" turns up by chance in a large file.
    active = _pdf_active_names(PDF_STREAM_BODY.sub(b"stream endstream", data)) or _pdf_parsed_active_content(data)
    if active:
        raise UploadRejected(
            f"PDF 文件含有可执行的活动内容（{active}），不能上传。"
            "请用“打印为 PDF”重新生成不含脚本和嵌入文件的 PDF 后再上传。",
            code="macro",
        )
    return PDF


# PDF's equivalent of macros: scripts, launching programs, embedded files, Flash/XFA forms
# and actions that send data out. Plain links and page-open view settings are harmless.
# A name counts wherever it appears, as a key (/JS, /XFA, /EmbeddedFiles in the names
# tree) or as a value (/S /JavaScript in /OpenAction, an annotation's /A or /AA).
PDF_ACTIVE_NAMES = {
    b"JavaScript": "JavaScript 脚本",
    b"JS": "JavaScript 脚本",
    b"Launch": "启动外部程序",
    b"EmbeddedFile": "嵌入文件",
    b"EmbeddedFiles": "嵌入文件",
    b"EF": "嵌入文件",
    b"FileAttachment": "嵌入文件",
    b"RichMedia": "富媒体",
    b"XFA": "XFA 表单",
    b"SubmitForm": "表单提交",
    b"ImportData": "导入数据",
    b"GoToE": "打开嵌入文档",
}
PDF_ACTIVE_BY_NAME = {"/" + key.decode(): label for key, label in PDF_ACTIVE_NAMES.items()}
PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9]|#[0-9A-Fa-f]{2})+)")
PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)

# qpdf's own guards against decompression bombs are off by default; a stream that would
# inflate past this is an error (the file is then refused as unreadable), not an OOM.
# These are process-wide qpdf settings, set once when this module is first imported.
MAX_PDF_STREAM_DECODED_BYTES = 100 * MB
pikepdf.settings.set_qpdf_limits(
    flate_max_memory=MAX_PDF_STREAM_DECODED_BYTES,
    run_length_max_memory=MAX_PDF_STREAM_DECODED_BYTES,
    png_max_memory=MAX_PDF_STREAM_DECODED_BYTES,
    tiff_max_memory=MAX_PDF_STREAM_DECODED_BYTES,
)
# A budget for unpacking object streams ourselves (see below), across the whole file.
MAX_PDF_OBJSTM_TOTAL = 50 * MB


def _pdf_parsed_active_content(data: bytes) -> str | None:
    """Parse the PDF with qpdf (through pikepdf) and look at every object.

    qpdf resolves objects inside object streams whatever their filters (ASCIIHex,
    ASCII85, LZW, Flate, RunLength, with predictors, in any order) and decrypts files
    that open without a password. A file it cannot parse is refused: if we cannot read
    it, we cannot say it is harmless.
    """
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise UploadRejected(
            "该 PDF 文件设置了打开密码，无法检查其内容。请取消密码后重新生成 PDF 再上传。", code="encrypted"
        ) from exc
    except Exception as exc:  # qpdf reports every kind of damage as its own exceptions
        raise _corrupt("（PDF 文件结构无法解析）") from exc
    try:
        with pdf:
            return _pdf_walk(pdf)
    except UploadRejected:
        raise
    except Exception as exc:  # damage found only while resolving objects
        raise _corrupt("（PDF 文件结构无法解析）") from exc


def _pdf_walk(pdf) -> str | None:
    budget = MAX_PDF_OBJSTM_TOTAL
    roots = [pdf.trailer, *pdf.objects]
    for root in roots:
        if isinstance(root, pikepdf.Stream) and root.stream_dict.get("/Type") == "/ObjStm" and budget > 0:
            # Objects packed in an object stream are resolved above only if the
            # cross-reference table lists them; look at the unpacked text too, so that
            # one the table forgets is not a hiding place.
            unpacked = root.read_bytes()[:budget]
            budget -= len(unpacked)
            found = _pdf_active_names(unpacked)
            if found:
                return found
        found = _pdf_object_active(root)
        if found:
            return found
    return None


def _pdf_object_active(root) -> str | None:
    """Names inside one object and its direct children; indirect children are visited
    on their own by the caller, which also keeps reference cycles from looping."""
    stack = [root.stream_dict if isinstance(root, pikepdf.Stream) else root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Name):
            label = PDF_ACTIVE_BY_NAME.get(str(obj))
            if label:
                return label
        elif isinstance(obj, pikepdf.Dictionary):
            for key in obj:
                label = PDF_ACTIVE_BY_NAME.get(key)
                if label:
                    return label
                value = obj.get(key)
                if isinstance(value, pikepdf.Object) and not value.is_indirect:
                    stack.append(value)
        elif isinstance(obj, pikepdf.Array):
            stack.extend(value for value in obj if isinstance(value, pikepdf.Object) and not value.is_indirect)
    return None


def _pdf_active_names(data: bytes) -> str | None:
    for match in PDF_NAME.finditer(data):
        name = PDF_HEX_ESCAPE.sub(lambda h: bytes([int(h[1], 16)]), match[1])
        if name in PDF_ACTIVE_NAMES:
            return PDF_ACTIVE_NAMES[name]
    return None


def _unknown(head: bytes) -> UploadRejected:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        fmt = "WebP"
    elif head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"avif"):
        fmt = "HEIC/AVIF"
    else:
        fmt = next((label for sig, label in OTHER_IMAGE_SIGNATURES if head.startswith(sig)), None)
    if fmt:
        return UploadRejected(
            f"不支持 {fmt} 格式的图片，请转换为 PNG、JPEG 或 GIF 后再上传。",
            code="unsupported",
        )
    return UploadRejected(
        "不支持该文件类型（按文件内容判断，与扩展名无关）。" + ALLOWED_TYPES_TEXT,
        code="unsupported",
    )


# --- legacy Office (OLE compound files) ------------------------------------------------


def _legacy_office(data: bytes, name: str) -> UploadRejected:
    def has_stream(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has_stream("EncryptionInfo") or has_stream("EncryptedPackage"):
        return UploadRejected(
            "该 Office 文件设置了打开密码，无法检查其内容。请取消密码并另存为 .docx 或 .xlsx 后再上传。",
            code="encrypted",
        )
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if has_stream("WordDocument") or ext in ("doc", "dot", "wps"):
        what, app, target = "旧版 Word 文档（.doc）", "Word", ".docx"
    elif has_stream("Workbook") or has_stream("Book") or ext in ("xls", "xlt", "et"):
        what, app, target = "旧版 Excel 表格（.xls）", "Excel", ".xlsx"
    else:
        what, app, target = "旧版 Office 文件（.doc、.xls 等）", "Word 或 Excel", ".docx 或 .xlsx"
    return UploadRejected(
        f"不能上传{what}：旧格式文件可能携带宏。请在 {app} 中另存为 {target} 格式后再上传。",
        code="legacy_office",
    )


# --- Office Open XML (zip) -------------------------------------------------------------


def _check_ooxml(fileobj) -> UploadKind:
    try:
        zf = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise _corrupt() from exc
    with zf:
        infos = zf.infolist()
        _check_bomb(infos)

        names = [info.filename for info in infos]
        lowered = [n.lower() for n in names]
        if len(set(lowered)) != len(lowered):
            raise _corrupt("（压缩结构中有重复条目）")
        if any(_is_macro_part(n) for n in lowered):
            raise _macro()

        if "[Content_Types].xml" not in names:
            raise _not_office()
        content_types = _read_content_types(zf)
        if any(_is_macro_type(ct) for ct in content_types):
            raise _macro()
        if any(t in content_types for t in TEMPLATE_MAINS):
            raise UploadRejected(
                "这是 Word 或 Excel 模板文件（.dotx/.xltx），请另存为 .docx 或 .xlsx 后再上传。",
                code="template",
            )

        is_word = WORD_MAIN in content_types
        is_excel = EXCEL_MAIN in content_types
        if not is_word and not is_excel:
            # No override for the main part: fall back on where it lives.
            is_word = "word/document.xml" in names
            is_excel = "xl/workbook.xml" in names
        if is_word == is_excel:
            raise _not_office() if not is_word else _corrupt()

        _verify_members(zf, infos)
        if is_word:
            _check_word_links_and_fields(zf, names)
    return DOCX if is_word else XLSX


def _check_bomb(infos: list[zipfile.ZipInfo]):
    if len(infos) > MAX_ZIP_MEMBERS:
        raise UploadRejected(
            f"文件内部包含的条目过多（{len(infos)} 个，上限为 {MAX_ZIP_MEMBERS} 个），"
            "疑似恶意构造的压缩文件，不能上传。",
            code="zip_bomb",
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_ZIP_UNCOMPRESSED_BYTES:
        raise UploadRejected(
            f"文件解压后过大（{_mb(total, round_up=True)} MB，上限为 {_mb(MAX_ZIP_UNCOMPRESSED_BYTES)} MB），"
            "疑似压缩炸弹，不能上传。",
            code="zip_bomb",
        )
    for info in infos:
        if info.file_size >= ZIP_RATIO_MIN_MEMBER_BYTES and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise UploadRejected(
                f"文件中有内容的压缩比异常（超过 {MAX_ZIP_RATIO} 倍），疑似压缩炸弹，不能上传。",
                code="zip_bomb",
            )


def _is_macro_part(lowered_name: str) -> bool:
    base = lowered_name.rsplit("/", 1)[-1]
    return base in ("vbaproject.bin", "vbadata.xml") or "/macrosheets/" in f"/{lowered_name}"


def _is_macro_type(content_type: str) -> bool:
    ct = content_type.lower()
    return "macroenabled" in ct or "vbaproject" in ct or "macrosheet" in ct


def _macro() -> UploadRejected:
    return UploadRejected(
        "含有宏的文件不能上传。请在 Word 或 Excel 中另存为不含宏的 .docx 或 .xlsx 格式后再上传。",
        code="macro",
    )


def _read_content_types(zf: zipfile.ZipFile) -> set[str]:
    info = zf.getinfo("[Content_Types].xml")
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise _corrupt()
    try:
        with zf.open(info) as member:
            data = member.read(MAX_CONTENT_TYPES_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise _corrupt() from exc
    # A regular expression, not an XML parser: we only need the attribute values.
    return {m.decode("utf-8", "replace").strip() for m in CONTENT_TYPE_ATTR.findall(data)}


def _verify_members(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]):
    """Inflate every member in memory, chunk by chunk, so that its CRC is checked."""
    for info in infos:
        if info.flag_bits & 0x1:
            raise _corrupt("（内容被加密）")
        try:
            with zf.open(info) as member:
                while member.read(MB):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
            raise _corrupt() from exc
        except NotImplementedError as exc:  # e.g. Deflate64
            raise _corrupt("（使用了不支持的压缩方式）") from exc


# --- Word documents that reach outside themselves -------------------------------------

# Relationships that make Word fetch and load a document from elsewhere when the file is
# opened (remote template injection): the attached template, a master document's
# subdocument, a frameset's frame. External hyperlinks and linked pictures are ordinary.
LOADED_RELATIONSHIPS = ("/attachedTemplate", "/subDocument", "/frame")
RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_FLD_CHAR = f"{W_NS}fldChar"
W_FLD_SIMPLE = f"{W_NS}fldSimple"
W_INSTR_TEXT = f"{W_NS}instrText"
W_FLD_CHAR_TYPE = f"{W_NS}fldCharType"
W_INSTR = f"{W_NS}instr"
# The parts where Word evaluates fields: the body, headers, footers, notes and comments.
FIELD_PARTS = re.compile(r"word/(?:glossary/)?(?:document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
DDE_FIELDS = {"DDE", "DDEAUTO"}
MAX_WORD_PART_BYTES = 50 * MB


def _read_xml(zf: zipfile.ZipFile, name: str):
    info = zf.getinfo(name)
    if info.file_size > MAX_WORD_PART_BYTES:
        raise _corrupt()
    data = zf.read(info)
    # No DTDs, no entities, no network: the parts are the uploader's bytes. Malformed
    # XML is read as far as it goes (Word offers to recover such files, so what can be
    # recovered is judged); whether the document is usable is for its reader to say.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    root = etree.fromstring(data, parser)
    return data, (root if root is not None else etree.Element("empty"))


def _check_word_links_and_fields(zf: zipfile.ZipFile, names: list[str]) -> None:
    for name in names:
        if name.lower().endswith(".rels"):
            _, root = _read_xml(zf, name)
            for rel in root.iter(f"{RELS_NS}Relationship"):
                rel_type = rel.get("Type", "")
                if rel.get("TargetMode", "").lower() == "external" and rel_type.endswith(LOADED_RELATIONSHIPS):
                    raise UploadRejected(
                        "该 Word 文档引用了文件之外的模板或文档（打开时会从外部地址加载内容），不能上传。"
                        "请在 Word 中去掉外部模板（开发工具 → 文档模板），另存为 .docx 后再上传。",
                        code="external_template",
                    )
    for name in names:
        if not FIELD_PARTS.fullmatch(name):
            continue
        data, root = _read_xml(zf, name)
        if b"instr" in data and any(_is_dde(code) for code in _field_codes(root)):
            raise UploadRejected(
                "该 Word 文档含有 DDE/DDEAUTO 域（打开时可自动运行外部程序），不能上传。"
                "请删除该域（可按 Alt+F9 显示域代码查找），另存为 .docx 后再上传。",
                code="dde",
            )


def _field_codes(root):
    """Every field's instruction text. Word splits a complex field's code over many
    runs (<w:instrText>" DD"</w:instrText><w:instrText>"EAUTO …"</w:instrText>), so the
    pieces between a field's begin and its separator are joined first; nested fields
    each get their own code."""
    fields: list[tuple[list[str], list[bool]]] = []  # (code pieces, [still in the code part])
    for el in root.iter(W_FLD_SIMPLE, W_FLD_CHAR, W_INSTR_TEXT):
        if el.tag == W_FLD_SIMPLE:
            yield el.get(W_INSTR, "")
        elif el.tag == W_INSTR_TEXT:
            if fields and fields[-1][1][0]:
                fields[-1][0].append(el.text or "")
            elif not fields:  # stray instruction text outside a field: judged alone
                yield el.text or ""
        else:
            kind = el.get(W_FLD_CHAR_TYPE, "")
            if kind == "begin":
                fields.append(([], [True]))
            elif kind in ("separate", "end") and fields:
                pieces, in_code = fields[-1]
                if in_code[0]:
                    yield "".join(pieces)
                    in_code[0] = False
                if kind == "end":
                    fields.pop()
    for pieces, in_code in fields:
        if in_code[0]:
            yield "".join(pieces)


def _is_dde(code: str) -> bool:
    return any(token.strip('"').upper() in DDE_FIELDS for token in code.split())
