"""Validation of uploaded attachments by their content, never by their name.

`sniff()` looks at the bytes of an upload and says what it really is: a PNG, JPEG or GIF
image, a PDF, a Word document (.docx) or an Excel workbook (.xlsx). Anything else is
refused with `UploadRejected`, whose message is a Chinese sentence meant for the user.

Office Open XML files are zip archives; they are inspected in memory (never extracted to
disk): the central directory is checked against zip bombs, macro-enabled packages are
refused, and every member's CRC is verified so a damaged file is caught at upload time.
"""

from __future__ import annotations

import math
import re
import zipfile
import zlib
from dataclasses import dataclass

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
    ``not_word`` (docx import only).
    """

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

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
        return _check_pdf(fileobj, head, size)
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
    active = _pdf_active_content(fileobj.read())
    if active:
        raise UploadRejected(
            f"PDF 文件含有可执行的活动内容（{active}），不能上传。"
            "请用“打印为 PDF”重新生成不含脚本和嵌入文件的 PDF 后再上传。",
            code="macro",
        )
    return PDF


# PDF's equivalent of macros: scripts, launching programs, embedded files, Flash/XFA forms
# and actions that send data out. Plain links and page-open view settings are harmless.
PDF_ACTIVE_NAMES = {
    b"JavaScript": "JavaScript 脚本",
    b"JS": "JavaScript 脚本",
    b"Launch": "启动外部程序",
    b"EmbeddedFile": "嵌入文件",
    b"EmbeddedFiles": "嵌入文件",
    b"RichMedia": "富媒体",
    b"XFA": "XFA 表单",
    b"SubmitForm": "表单提交",
    b"ImportData": "导入数据",
    b"GoToE": "打开嵌入文档",
}
PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9]|#[0-9A-Fa-f]{2})+)")
PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n")
# Object streams (PDF 1.5+) hold dictionaries compressed, where a /JavaScript name would
# not be visible in the raw bytes; each is inflated in memory up to this many bytes.
MAX_PDF_OBJSTM_BYTES = 10 * MB
MAX_PDF_OBJSTM_TOTAL = 50 * MB


def _pdf_active_content(data: bytes) -> str | None:
    """The first kind of active content found in a PDF's dictionaries, or None."""
    found = _pdf_active_names(data)
    if found:
        return found
    budget = MAX_PDF_OBJSTM_TOTAL
    for match in PDF_STREAM.finditer(data):
        header = data[max(0, match.start() - 400) : match.start()]
        header = header[header.rfind(b"obj") + 3 :] if b"obj" in header else header
        if b"/ObjStm" not in _pdf_decode_names(header) or b"/FlateDecode" not in _pdf_decode_names(header):
            continue
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[match.end() :], min(MAX_PDF_OBJSTM_BYTES, budget))
        except zlib.error:
            continue  # a damaged stream hides nothing a reader would run either
        budget -= len(inflated)
        found = _pdf_active_names(inflated)
        if found or budget <= 0:
            return found
    return None


def _pdf_decode_names(data: bytes) -> bytes:
    # "/J#61vaScript" is the name /JavaScript: decode #xx escapes before comparing.
    return PDF_NAME.sub(lambda m: b"/" + PDF_HEX_ESCAPE.sub(lambda h: bytes([int(h[1], 16)]), m[1]), data)


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
