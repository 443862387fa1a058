"""Import a Word draft (.docx) into a title and a plain-text body.

The running text of the document body is imported, and its tables as simple tables
(common.tables: one "| a | b |" line a row; merged cells are repeated, a nested table
becomes its text). Pictures, text boxes, charts, embedded objects and footnotes are left
out, and a warning in Chinese says so, so that the writer can attach them separately.
Tracked changes are read as if accepted (insertions kept, deletions dropped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from common.tables import table_lines

from .uploads import MAX_DOCX_IMPORT_BYTES, UploadRejected, sniff

NOT_WORD_MESSAGE = "请上传 .docx 格式的 Word 文档。"
# A file named .docx whose bytes are something else (a PDF or a web page renamed, an old
# .doc): saying "upload a .docx" would puzzle someone who did just that.
NOT_WORD_CONTENT_MESSAGE = (
    "该文件的内容不是 Word 文档：文件名虽以 .docx 结尾，内容却是其他格式。"
    "请用 Word 或 WPS 打开原稿，另存为“Word 文档（*.docx）”后再导入。"
)
UNREADABLE_MESSAGE = "无法读取该 Word 文档，文件可能已损坏。"
EMPTY_MESSAGE = "文档中没有文字内容。"

# A first paragraph at most this long may be taken for the title when nothing marks one.
MAX_GUESSED_TITLE_CHARS = 60
# Where the title is looked for by its formatting (non-empty paragraphs).
TITLE_SEARCH_PARAGRAPHS = 3
# Centred text at least this large (小二, 18 pt) reads as a title; Chinese official
# documents set their body in 三号 (16 pt) and their title in 二号 (22 pt).
TITLE_MIN_POINTS = 18

TITLE_LABEL = re.compile(r"^标题\s*[：:]\s*")
NOT_A_TITLE_ENDINGS = ("。", "：", ":", "；", ";", "，", ",", "！", "？")
HEADING_STYLE_NAMES = {"title", "heading 1", "标题", "标题 1", "标题1"}

MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MC_FALLBACK = f"{{{MC_NS}}}Fallback"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"

W_P = qn("w:p")
W_R = qn("w:r")
W_T = qn("w:t")
W_TAB = qn("w:tab")
W_BR = qn("w:br")
W_CR = qn("w:cr")
W_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
W_TBL = qn("w:tbl")
W_SDT = qn("w:sdt")
W_SDT_CONTENT = qn("w:sdtContent")
W_CUSTOM_XML = qn("w:customXml")
W_DRAWING = qn("w:drawing")
W_PICT = qn("w:pict")
W_OBJECT = qn("w:object")
W_TXBX_CONTENT = qn("w:txbxContent")
W_INS = qn("w:ins")
W_DEL = qn("w:del")
W_FOOTNOTE_REFERENCE = qn("w:footnoteReference")
PIC_PIC = qn("pic:pic")

# Never descended into when reading a paragraph's own text: properties (w:pPr holds tab
# stops named w:tab), deleted or moved-away text, text boxes and drawings, the fallback
# copy of alternate content, and ruby annotations.
SKIPPED_IN_TEXT = {
    qn("w:pPr"),
    qn("w:rPr"),
    W_DEL,
    qn("w:moveFrom"),
    W_TXBX_CONTENT,
    W_DRAWING,
    W_PICT,
    W_OBJECT,
    MC_FALLBACK,
    qn("w:rt"),
}


@dataclass
class ImportedDraft:
    title: str
    body: str  # paragraphs joined with "\n", each stripped, empty ones dropped
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Para:
    paragraph: Paragraph
    lines: list[str]  # the paragraph's stripped, non-empty lines (soft breaks split it)
    runs: list[Run]  # runs that carry visible text

    @property
    def as_title(self) -> str:
        return _join_title_lines(self.lines)


def import_docx(fileobj, *, max_bytes: int = MAX_DOCX_IMPORT_BYTES) -> ImportedDraft:
    """Read a .docx upload into an `ImportedDraft`, or raise `UploadRejected`.

    The file is first checked with `sniff()` (size, macros, zip bombs, damage); its
    position is set back to 0 afterwards, so the caller may still store it.
    """
    named_docx = str(getattr(fileobj, "name", "") or "").lower().endswith(".docx")
    not_word = NOT_WORD_CONTENT_MESSAGE if named_docx else NOT_WORD_MESSAGE
    try:
        kind = sniff(fileobj, max_bytes=max_bytes)
    except UploadRejected as exc:
        # A PDF refused as damaged is still first of all not a Word document.
        if exc.code in ("unsupported", "not_office") or exc.detected not in ("", "word"):
            raise UploadRejected(not_word, code="not_word") from exc
        raise
    if kind.key != "word":
        raise UploadRejected(not_word, code="not_word")
    try:
        try:
            document = Document(fileobj)
            return _extract(document)
        except UploadRejected:
            raise
        except Exception as exc:  # python-docx and lxml raise many kinds of errors
            raise UploadRejected(UNREADABLE_MESSAGE, code="corrupt") from exc
    finally:
        fileobj.seek(0)


def _extract(document) -> ImportedDraft:
    body_el = document.element.body
    paragraphs: list[_Para] = []
    # The body in document order: paragraphs, and tables as their body lines.
    blocks: list[_Para | list[str]] = []
    for p_el in _body_blocks(body_el, (W_P, W_TBL)):
        if p_el.tag == W_TBL:
            lines = table_lines(_table_rows(p_el))
            if lines:
                blocks.append(lines)
            continue
        pieces = list(_text_pieces(p_el))
        text = "".join(text for _, text in pieces)
        lines = [line.strip() for line in text.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            continue
        paragraph = Paragraph(p_el, document)
        runs = []
        for r_el, piece in pieces:
            if r_el is not None and piece.strip() and (not runs or runs[-1]._r is not r_el):
                runs.append(Run(r_el, document))
        paragraphs.append(_Para(paragraph, lines, runs))
        blocks.append(paragraphs[-1])

    warnings = _not_imported(body_el)
    if not paragraphs:
        message = EMPTY_MESSAGE
        if warnings:
            message += "（" + "".join(warnings).rstrip("。") + "。）"
        raise UploadRejected(message, code="empty_document")

    index = _title_index(document, paragraphs)
    if index is None:
        title = ""
        warnings.insert(0, "未能识别标题，请手动填写。")
        rest = paragraphs
    else:
        title = TITLE_LABEL.sub("", paragraphs[index].as_title).strip()
        rest = paragraphs[:index] + paragraphs[index + 1 :]
    kept = {id(para) for para in rest}
    body = "\n".join(
        line
        for block in blocks
        if isinstance(block, list) or id(block) in kept
        for line in (block if isinstance(block, list) else block.lines)
    )
    if title and not body:
        warnings.append("文档中只有标题，没有正文。")
    return ImportedDraft(title=title, body=body, warnings=warnings)


# --- walking the document ---------------------------------------------------------------


def _table_rows(tbl) -> list[list[str]]:
    """A table's rows of cell texts (a cell's paragraphs, and any table nested in it,
    joined by spaces); a merged cell is read once per grid column it spans."""
    rows = []
    for tr in tbl.iterchildren(qn("w:tr")):
        cells = []
        for tc in tr.iterchildren(qn("w:tc")):
            text = " ".join(
                "".join(piece for _, piece in _text_pieces(p)).replace("\n", " ").strip() for p in tc.iter(W_P)
            ).strip()
            span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            cells.extend([text] * (int(span.get(qn("w:val"), "1")) if span is not None else 1))
        rows.append(cells)
    return rows


def _body_blocks(container, tag) -> Iterator:
    """Top-level paragraphs (or tables, or both: a tuple of tags) in document order,
    including those inside block-level content controls (w:sdt) and custom XML, but not
    those inside tables."""
    tags = tag if isinstance(tag, tuple) else (tag,)
    for child in container.iterchildren():
        if child.tag in tags:
            yield child
        elif child.tag == W_SDT:
            for content in child.iterchildren(W_SDT_CONTENT):
                yield from _body_blocks(content, tag)
        elif child.tag == W_CUSTOM_XML:
            yield from _body_blocks(child, tag)


def _text_pieces(element, run=None) -> Iterator[tuple[object, str]]:
    """(w:r element, text) for the visible text of a paragraph, in order."""
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in SKIPPED_IN_TEXT:
            continue
        if tag == W_T:
            yield run, child.text or ""
        elif tag == W_TAB:
            yield run, "\t"
        elif tag in (W_BR, W_CR):
            yield run, "\n"
        elif tag == W_NO_BREAK_HYPHEN:
            yield run, "-"
        else:
            yield from _text_pieces(child, child if tag == W_R else run)


def _not_imported(body_el) -> list[str]:
    tables = sum(1 for _ in _body_blocks(body_el, W_TBL))
    pictures = text_boxes = graphics = objects = 0
    for el in body_el.iter(W_DRAWING, W_PICT, W_OBJECT):
        if _in_fallback(el, body_el):
            continue
        if el.tag == W_OBJECT:
            objects += 1
        elif _first(el, PIC_PIC) is not None or _first(el, V_IMAGEDATA) is not None:
            pictures += 1
        elif _first(el, W_TXBX_CONTENT) is not None:
            text_boxes += 1
        else:
            graphics += 1
    footnotes = sum(1 for _ in body_el.iter(W_FOOTNOTE_REFERENCE))
    revised = _first(body_el, W_INS) is not None or _first(body_el, W_DEL) is not None

    warnings = []
    if tables:
        warnings.append(f"文档中的 {tables} 张表格已按简单表格导入（每行一个“| … |”），合并单元格已拆开，请核对。")
    if pictures:
        warnings.append(f"文档中的 {pictures} 张图片未导入，请作为附件上传。")
    if text_boxes:
        warnings.append(f"文档中的 {text_boxes} 个文本框中的文字未导入，请核对正文。")
    if graphics:
        warnings.append(f"文档中的 {graphics} 个图形（图表、形状等）未导入，请作为附件上传。")
    if objects:
        warnings.append(f"文档中的 {objects} 个嵌入对象未导入，请作为附件上传。")
    if footnotes:
        warnings.append(f"文档中的 {footnotes} 个脚注未导入，请核对正文。")
    if revised:
        warnings.append("文档中有修订痕迹，已按接受全部修订后的文字导入，请核对。")
    return warnings


def _first(element, tag):
    return next(element.iter(tag), None)


def _in_fallback(element, stop) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == MC_FALLBACK:
            return True
        parent = parent.getparent()
    return False


# --- finding the title --------------------------------------------------------------------


def _title_index(document, paragraphs: list[_Para]) -> int | None:
    for i, para in enumerate(paragraphs[:TITLE_SEARCH_PARAGRAPHS]):
        if (
            TITLE_LABEL.match(para.lines[0])
            or _has_heading_style(para.paragraph, heading_1=True)
            or _is_centred_and_prominent(document, para)
        ):
            return i
    for i, para in enumerate(paragraphs):
        if _has_heading_style(para.paragraph, heading_1=False):
            return i
    first = paragraphs[0].as_title
    if len(paragraphs) > 1 and len(first) <= MAX_GUESSED_TITLE_CHARS and not first.endswith(NOT_A_TITLE_ENDINGS):
        return 0
    return None


def _style_chain(style) -> Iterator:
    seen = set()
    while style is not None and id(style._element) not in seen and len(seen) < 20:
        seen.add(id(style._element))
        yield style
        style = style.base_style


def _has_heading_style(paragraph: Paragraph, *, heading_1: bool) -> bool:
    """Title style (or one based on it); with `heading_1`, also Heading 1 or outline level 1."""
    for style in _style_chain(paragraph.style):
        name = (style.name or "").strip().lower()
        if name == "title" or (heading_1 and name in HEADING_STYLE_NAMES):
            return True
    if not heading_1:
        return False
    for element in [paragraph._p, *(s._element for s in _style_chain(paragraph.style))]:
        outline = element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        if outline is not None:
            return outline.get(qn("w:val")) == "0"
    return False


def _alignment(paragraph: Paragraph):
    if paragraph.paragraph_format.alignment is not None:
        return paragraph.paragraph_format.alignment
    for style in _style_chain(paragraph.style):
        if style.paragraph_format.alignment is not None:
            return style.paragraph_format.alignment
    return None


def _is_centred_and_prominent(document, para: _Para) -> bool:
    if _alignment(para.paragraph) != WD_ALIGN_PARAGRAPH.CENTER or not para.runs:
        return False
    default_size = _default_points(document)
    for run in para.runs:
        bold = _run_property(run, para.paragraph, lambda font: font.bold)
        size = _run_property(run, para.paragraph, lambda font: font.size)
        points = size.pt if size is not None else default_size
        if not bold and not (points and points >= TITLE_MIN_POINTS):
            return False
    return True


def _run_property(run: Run, paragraph: Paragraph, get):
    value = get(run.font)
    if value is not None:
        return value
    for styles in (_style_chain(run.style), _style_chain(paragraph.style)):
        for style in styles:
            value = get(style.font)
            if value is not None:
                return value
    return None


def _default_points(document) -> float | None:
    sz = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
    try:
        return int(sz.get(qn("w:val"))) / 2 if sz is not None else None
    except (TypeError, ValueError):
        return None


def _join_title_lines(lines: list[str]) -> str:
    """Join a title broken over several lines: Chinese joins without a space."""
    title = lines[0]
    for line in lines[1:]:
        if title[-1].isascii() and line[0].isascii():
            title += " "
        title += line
    return title
