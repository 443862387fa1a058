"""The Word document of an issue (期), in the customary layout of Chinese official
publications (GB/T 9704-2012 as applied to 简报/信息刊物).

A pure builder: plain data in (`DocIssue`, `DocItem`), bytes out. No models, no database,
so it can be tested and timed on its own and called from a view or a task alike.

Layout
------
A4 portrait, margins 3.7 / 3.5 / 2.8 / 2.6 cm (top / bottom / left / right), i.e. the
standard's 版心 of 156 × 225 mm; body in 仿宋_GB2312 三号 (16 pt) with a fixed 28.95 pt
line (22 lines a page) and characters condensed by 0.25 pt (28 characters a line).

- 版头: the confidentiality mark top left (黑体 三号) unless 公开; the publication name
  in red 方正小标宋简体, centred, large (shrunk for long names); "增刊" under it for a
  special issue (and not again in the number line); the number line "第12期（总第345期）"
  centred, with "签发人：…" at the right when there is an approver — a long name moves the
  number to the left, a very long one takes its own right-aligned line, so the line never
  wraps (`approver_placement`); a draft says "（待签发，签发时编号）"; the office at the
  left and the date at the right; a red rule across the text width.
- 本期要目 (numbered item titles) when asked for and there are two items or more.
- The items in order: title (方正小标宋简体 二号, centred, a long one broken into
  balanced lines by `title_lines`), body paragraphs (two-character first-line indent,
  justified), the source right-aligned in parentheses. Briefs (简讯) come under one
  "简讯" heading per run of consecutive briefs, each one paragraph led by its bold title.
- Pictures marked 随文刊发 after an item's body: each centred in its own paragraph, scaled
  down to the 版心 width (156 mm, and 150 mm high) with its aspect ratio kept, its caption
  (the attachment's name) centred below it in 楷体 四号.
- 版记 at the foot of the last page: a one-column table floating at the bottom of the
  版心, its top and bottom borders the thick rules, "报：…", "送：…", "发：…", "抄送：…"
  (the issue's extra recipients), a thin rule, "{office}　　{date}印发", "（共印N份）";
  仿宋_GB2312 四号. `footer_page` puts it on the next page, or after an unnumbered blank
  page, when the PDF step finds it would otherwise land on an odd page.
- Page numbers "— N —" in 宋体 四号, odd pages at the right and even pages at the left,
  one character in from the edge of the text (the standard's full convention).

Fonts are set on styles (and the document defaults), not on runs (a run carries only
`w:rFonts/@w:hint="eastAsia"`, so that “ ” — … take the Chinese font): East Asian font
through `w:rFonts/@w:eastAsia`, Latin letters and digits in Times New Roman; the East
Asian language is zh-CN (the Latin one en-US, see `_LANG`). The font table declares the
Chinese fonts with the GB2312 charset and their English names, so that Word on a machine
without them substitutes a Chinese font.

The body XML is written as text and parsed once rather than built paragraph by paragraph
through python-docx's API: an issue of 300 items of ~800 characters takes 60–100 ms
(bench/docx_build.py).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from common.tables import split_blocks

__all__ = ["DocIssue", "DocItem", "DocPicture", "build_issue_docx", "issue_filename"]


@dataclass(frozen=True)
class DocPicture:
    """A picture printed after an item's body (随文刊发): the image file's bytes (PNG, JPEG
    or GIF that passed the upload checks) and its caption (the attachment's name)."""

    data: bytes
    caption: str


@dataclass(frozen=True)
class DocItem:
    title: str
    body: str  # paragraphs separated by "\n"
    source: str = ""  # submitting unit(s), printed in parentheses at the end of the item
    form: str = "full"  # "full" 信息 | "brief" 简讯 | "excerpt" 摘编 | "composite" 综合
    pictures: tuple[DocPicture, ...] = ()


@dataclass(frozen=True)
class DocIssue:
    publication: str  # "每日要情"
    office: str  # "云南省人民政府办公厅"
    year: int
    number: int | None  # yearly number: 第N期 (None: a draft, numbered at sign-off)
    total: int | None  # running total: 总第M期 (None: omitted)
    special: bool = False  # 增刊
    date: datetime.date | None = None  # signed date; None: "（待签发）"
    confidentiality: str = "内部"  # "公开" | "内部" | "敏感"
    approver: str = ""  # 签发人
    items: tuple[DocItem, ...] = ()
    bao: tuple[str, ...] = ()  # 报: superiors
    song: tuple[str, ...] = ()  # 送: peers and related units
    fa: tuple[str, ...] = ()  # 发: subordinates
    extra: tuple[str, ...] = ()  # extra recipients of this issue (抄送)
    copies: int | None = None  # （共印N份）
    toc: bool = True  # 本期要目
    withheld_note: str = ""  # this reader's copy leaves out 敏感 items: the line that says so
    # Where the 版记 goes (GB/T 9704-2012 7.4.1, 7.5): "same" at the foot of the page the
    # last item ends on; "next" alone at the foot of the following page; "blank" after an
    # unnumbered blank page, itself unnumbered. The builder cannot see page breaks: the PDF
    # step (publications.pdf.fit_footer) renders the file and picks the one that puts the
    # 版记 on an even page.
    footer_page: str = "same"
    # A document issued on its own rather than as an issue of a publication (the year-end
    # 通报 made from the final board) has no 期号: nothing to number at sign-off either.
    unnumbered: bool = False


FORMS = ("full", "brief", "excerpt", "composite")
FOOTER_PAGES = ("same", "next", "blank")

# Confidentiality marks; the model's stored values are accepted as well as the labels.
MARKS = {
    "公开": "",
    "public": "",
    "内部": "内部资料　注意保存",
    "internal": "内部资料　注意保存",
    "敏感": "敏感信息　严格控制知悉范围",
    "sensitive": "敏感信息　严格控制知悉范围",
}

# ---------------------------------------------------------------- geometry (twips)

PAGE_W, PAGE_H = 11906, 16838  # A4: 210 × 297 mm
MARGIN_TOP, MARGIN_BOTTOM = 2098, 1984  # 37 mm, 35 mm
MARGIN_LEFT, MARGIN_RIGHT = 1588, 1474  # 28 mm, 26 mm
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 8844 = 156 mm
HEADER_DIST = 851  # 15 mm (no header is printed)
FOOTER_DIST = 1247  # 22 mm: the page number's top sits about 7 mm below the 版心
LINE = 579  # 28.95 pt: 22 lines in 225 mm
# 28 characters of 16 pt need 448 pt, the text is 442.2 pt wide: characters are condensed
# by 0.25 pt (15.75 pt pitch). Word's own way, a character grid (docGrid linesAndChars with
# charSpace -849), is rendered by LibreOffice with every character taking two cells.
CONDENSE = -5  # twips

# ---------------------------------------------------------------- fonts and colours

LATIN = "Times New Roman"
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
RED = "FF0000"

# name: (English name, family, pitch) for the font table
_CJK_FONTS = {
    FANGSONG: ("FangSong_GB2312", "modern", "fixed"),
    XIAOBIAOSONG: ("FZXiaoBiaoSong-B05S", "script", "fixed"),
    HEITI: ("SimHei", "modern", "fixed"),
    KAITI: ("KaiTi_GB2312", "modern", "fixed"),
    SONGTI: ("SimSun", "auto", "variable"),
}

SZ_ERHAO = 44  # 二号 22 pt, in half-points
SZ_SANHAO = 32  # 三号 16 pt
SZ_SIHAO = 28  # 四号 14 pt

# ---------------------------------------------------------------- text cleaning

# Characters XML 1.0 forbids (python-docx/lxml refuse them) and the C1 controls.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85]")
_EDGE = " \t\u3000\xa0"  # stripped from paragraph ends: the indent is the style's job


def clean_text(text: str) -> str:
    """Drop the characters a .docx cannot hold."""
    return _INVALID.sub("", text or "")


def _line(text: str) -> str:
    """One line: control characters dropped, runs of white space (newlines too) made one space."""
    return _SPACES.sub(" ", clean_text(_LINE_BREAKS.sub("\n", text or ""))).strip(_EDGE)


def _paragraphs(body: str) -> list[str]:
    """The non-blank paragraphs of a body, without leading/trailing (full-width) spaces."""
    text = clean_text(_LINE_BREAKS.sub("\n", body or ""))
    return [s for s in (p.strip(_EDGE) for p in text.split("\n")) if s]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _esc(text).replace('"', "&quot;")


def format_date(date: datetime.date | None) -> str:
    """ "2026年11月27日" (Arabic figures, no leading zeros, as GB/T 9704-2012 has it)."""
    return f"{date.year}年{date.month}月{date.day}日" if date else "（待签发）"


DRAFT_NUMBER = "（待签发，签发时编号）"


def number_text(issue: DocIssue) -> str:
    """ "第12期（总第345期）"; a special issue "第3期" (its 增刊 is printed once, under the
    masthead); a draft says it is numbered at sign-off, as the page does."""
    if issue.unnumbered:
        return ""
    if not issue.number:
        return DRAFT_NUMBER
    text = f"第{issue.number}期"
    if issue.total is not None:
        text += f"（总第{issue.total}期）"
    return text


def text_width(text: str) -> float:
    """Width in characters of the body size: Latin letters and figures are half as wide."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


LINE_CHARS = 28  # characters a body line holds (the 22 × 28 grid, GB/T 9704-2012 5.2.2)


def approver_placement(issue: DocIssue) -> str:
    """Where "签发人：…" goes so that the 期号 line never wraps: "centre" (期号 centred,
    签发人 at the right, the usual form), "left" (期号 one character in from the left,
    签发人 at the right) when the name is too long for the first, else "own" (签发人 on
    its own line, right-aligned, under the 期号)."""
    approver = _line(issue.approver)
    if not approver:
        return "none"
    number = text_width(number_text(issue))
    right = text_width("签发人：" + approver)
    if LINE_CHARS / 2 + number / 2 + 1 + right <= LINE_CHARS:
        return "centre"
    if 1 + number + 1 + right <= LINE_CHARS:
        return "left"
    return "own"


# Where a long title may break, best first: after these marks, then before these words.
_TITLE_BREAK_AFTER = "，、：；！？）》”"
_TITLE_BREAK_BEFORE = ("推进", "加强", "全力", "扎实", "着力", "持续", "深入", "切实", "做好", "确保", "助力", "打好")
_NO_LINE_START = "，、。：；！？）》”’…—"
_NO_LINE_END = "（《“‘"
TITLE_CHARS = 20  # 二号 characters a line of the 版心 holds


def title_lines(title: str, per_line: int = TITLE_CHARS) -> list[str]:
    """A long title broken into balanced lines by its sense (the "梯形"/"沙漏" shapes of
    practice) rather than wherever a line is full: as few lines as fit, each near the same
    length, preferring a break after punctuation or before a verb phrase, never inside a
    run of figures or Latin letters, and never leaving a few characters alone at the end."""
    title = _line(title)
    if text_width(title) <= per_line:
        return [title] if title else []
    count = -(-int(text_width(title) * 2) // (per_line * 2))  # ceil
    while True:
        lines = _balanced(title, count, per_line)
        if lines is not None:
            return lines
        count += 1


def _balanced(title: str, count: int, per_line: int) -> list[str] | None:
    lines: list[str] = []
    rest = title
    for remaining in range(count, 1, -1):
        target = text_width(rest) / remaining
        best, best_score = None, None
        width = 0.0
        for i, ch in enumerate(rest[:-1], 1):
            width += text_width(ch)
            if width > per_line:
                break
            nxt = rest[i]
            if nxt in _NO_LINE_START or ch in _NO_LINE_END or (ch.isascii() and ch.isalnum() and nxt.isascii()):
                continue
            score = abs(width - target)
            if ch in _TITLE_BREAK_AFTER:
                score -= 3
            elif any(rest.startswith(word, i) for word in _TITLE_BREAK_BEFORE):
                score -= 1.5
            if best_score is None or score < best_score:
                best, best_score = i, score
        if best is None:
            return None
        lines.append(rest[:best])
        rest = rest[best:]
    if text_width(rest) > per_line:
        return None
    lines.append(rest)
    return lines


def _source_text(source: str) -> str:
    source = _line(source)
    if not source:
        return ""
    if source[0] in "（(" and source[-1] in "）)":
        source = source[1:-1].strip(_EDGE)
    return f"（{source}）" if source else ""


def _recipients(names: Iterable[str]) -> str:
    """ "省委办公厅，省人大常委会办公厅。" (the list ends with a full stop, as GB/T 9704's 抄送)."""
    seen: list[str] = []
    for name in names:
        name = _line(name).rstrip("，,、；;。")
        if name and name not in seen:
            seen.append(name)
    return "，".join(seen) + "。" if seen else ""


# ---------------------------------------------------------------- XML snippets


def _run(text: str, rpr: str = "", style: str = "", east_asia: str = "") -> str:
    """A run; tabs in `text` become <w:tab/>. `rpr`: properties after w:rFonts (the font is
    the paragraph style's; `east_asia` overrides it for this run)."""
    fonts = f'<w:rFonts w:eastAsia="{east_asia}" w:hint="eastAsia"/>' if east_asia else _HINT
    style = f'<w:rStyle w:val="{style}"/>' if style else ""
    rpr = f"<w:rPr>{style}{fonts}{rpr}</w:rPr>"
    parts = []
    for i, piece in enumerate(text.split("\t")):
        if i:
            parts.append("<w:tab/>")
        if piece:
            parts.append(f'<w:t xml:space="preserve">{_esc(piece)}</w:t>')
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


def _lines_run(lines: list[str]) -> str:
    """One run whose lines are separated by line breaks (a title broken by its sense)."""
    parts = "<w:br/>".join(f'<w:t xml:space="preserve">{_esc(line)}</w:t>' for line in lines)
    return f"<w:r><w:rPr>{_HINT}</w:rPr>{parts}</w:r>"


def _para(style: str, runs: str, ppr: str = "", root: bool = False) -> str:
    tag = f"<w:p {nsdecls('w')}>" if root else "<w:p>"
    return f'{tag}<w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{runs}</w:p>'


def _fonts(east_asia: str, latin: str = LATIN) -> str:
    return f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" w:cs="{latin}"/>'


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def _spacing(line: int | None = LINE, before: int = 0, after: int = 0, rule: str = "exact") -> str:
    line_attrs = f' w:line="{line}" w:lineRule="{rule}"' if line else ""
    return f'<w:spacing w:before="{before}" w:after="{after}"{line_attrs}/>'


def _border(side: str, color: str, eighths: int, space: int = 1) -> str:
    return f'<w:{side} w:val="single" w:sz="{eighths}" w:space="{space}" w:color="{color}"/>'


def _tabs(*stops: tuple[str, int]) -> str:
    return "<w:tabs>" + "".join(f'<w:tab w:val="{kind}" w:pos="{pos}"/>' for kind, pos in stops) + "</w:tabs>"


def _style(
    style_id: str, name: str, ppr: str = "", rpr: str = "", kind: str = "paragraph", based_on: str = "Normal"
) -> str:
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    nxt = '<w:next w:val="GovBody"/>' if kind == "paragraph" else ""
    ppr = f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
    rpr = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return (
        f'<w:style {nsdecls("w")} w:type="{kind}" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/>{based}{nxt}<w:qFormat/>{ppr}{rpr}</w:style>'
    )


# East Asian text is zh-CN. Latin text stays en-US, as Word on a Chinese system writes it:
# with w:val="zh-CN" LibreOffice applies Chinese line breaking to Latin text too and splits
# figures such as "217.0" across lines.
_LANG = '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
# Word shows characters of the shared ranges (“ ” ‘ ’ — … ·) in the Latin font unless the
# run says they are East Asian: without this, Chinese quotes come out narrow in Times New Roman.
_HINT = '<w:rFonts w:hint="eastAsia"/>'
_RED = f'<w:color w:val="{RED}"/>'
_BOLD = "<w:b/><w:bCs/>"
_KEEP = "<w:keepNext/><w:keepLines/>"


def _masthead_size(name: str) -> int:
    """Point size of the 刊头: large, smaller for long names so that one line holds it."""
    width = sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in name) or 1.0
    return max(22, min(52, int(0.9 * TEXT_W / 20 / width)))


def _styles(masthead_pt: int) -> list[str]:
    """The publication's paragraph and character styles (Normal is set apart)."""
    ind_body = '<w:ind w:firstLine="640" w:firstLineChars="200"/>'
    # 版记 lines: one character in on both sides, wrapped lines aligned after "报："
    ind_footer = (
        '<w:ind w:left="840" w:leftChars="300" w:right="280" w:rightChars="100" w:hanging="560" w:hangingChars="200"/>'
    )
    masthead_line = int(masthead_pt * 20 * 1.3)
    return [
        _style("GovBody", "刊物正文", ind_body),
        _style("GovMark", "密级标识", _spacing(), _fonts(HEITI)),
        _style(
            "GovMasthead",
            "刊头",
            '<w:snapToGrid w:val="0"/>' + _spacing(masthead_line, before=120, after=60) + '<w:jc w:val="center"/>',
            _fonts(XIAOBIAOSONG) + _BOLD + _RED + _size(masthead_pt * 2),
        ),
        _style(
            "GovSpecial",
            "增刊标识",
            '<w:snapToGrid w:val="0"/>' + _spacing(720, after=60) + '<w:jc w:val="center"/>',
            _fonts(XIAOBIAOSONG) + _BOLD + _RED + '<w:spacing w:val="200"/>' + _size(52),
        ),
        _style(
            "GovNumber",
            "期号",
            _tabs(("center", TEXT_W // 2), ("right", TEXT_W)) + _spacing(before=120) + '<w:jc w:val="left"/>',
        ),
        _style(
            "GovDateLine",
            "编印单位和日期",
            _KEEP
            + f"<w:pBdr>{_border('bottom', RED, 16, 6)}</w:pBdr>"
            + _tabs(("right", TEXT_W))
            + _spacing(after=240)
            + '<w:jc w:val="left"/>',
        ),
        _style(
            "GovTocHeading",
            "要目标题",
            _KEEP + _spacing(before=120) + '<w:jc w:val="center"/>',
            _fonts(HEITI) + '<w:spacing w:val="160"/>',
        ),
        _style(
            "GovToc",
            "要目",
            _tabs(("left", 1280)) + '<w:ind w:left="1280" w:hanging="640"/>',
            _fonts(KAITI),
        ),
        _style(
            "GovTitle",
            "信息标题",
            # 二号 方正小标宋 (GB/T 9704-2012 7.3.1), centred, off the grid so that its lines
            # take 1.3 times the size rather than two body lines each
            _KEEP
            + '<w:snapToGrid w:val="0"/>'
            + _spacing(int(22 * 20 * 1.3), before=LINE, after=LINE // 2)
            + '<w:jc w:val="center"/><w:outlineLvl w:val="0"/>',
            _fonts(XIAOBIAOSONG) + '<w:spacing w:val="0"/>' + _size(SZ_ERHAO),
        ),
        _style("GovSource", "信息来源", _spacing() + '<w:jc w:val="right"/>'),
        _style(
            "GovBriefHeading",
            "简讯标题",
            _KEEP + _spacing(before=LINE) + '<w:jc w:val="center"/><w:outlineLvl w:val="0"/>',
            _fonts(HEITI) + '<w:spacing w:val="320"/>',
        ),
        _style("GovBriefLead", "简讯标题文字", "", _BOLD, kind="character", based_on=""),
        _style(
            "GovTableText",
            "表格文字",
            '<w:snapToGrid w:val="0"/>' + _spacing(400, before=40, after=40) + '<w:jc w:val="center"/>',
            '<w:spacing w:val="0"/>' + _size(SZ_SIHAO),
        ),
        _style(
            "GovPicture",
            "随文图片",
            # the line grows with the picture (an exact line would crop it); kept with its caption
            _KEEP
            + '<w:snapToGrid w:val="0"/>'
            + _spacing(240, before=LINE // 2, rule="auto")
            + '<w:jc w:val="center"/>',
        ),
        _style(
            "GovCaption",
            "图片说明",
            '<w:snapToGrid w:val="0"/>' + _spacing(400, before=60, after=LINE // 2) + '<w:jc w:val="center"/>',
            _fonts(KAITI) + '<w:spacing w:val="0"/>' + _size(SZ_SIHAO),
        ),
        _style(
            "GovFooter",
            "版记",
            _KEEP + ind_footer + '<w:jc w:val="left"/>',
            _size(SZ_SIHAO),
        ),
        _style(
            "GovFooterIssued",
            "版记印发",
            _KEEP
            + _tabs(("right", TEXT_W - 280))
            + '<w:ind w:left="280" w:leftChars="100" w:right="280" w:rightChars="100"/>'
            + '<w:jc w:val="left"/>',
            _size(SZ_SIHAO),
            based_on="Normal",
        ),
        _style(
            "GovRule",
            "版记分隔线",
            _KEEP + '<w:snapToGrid w:val="0"/>' + _spacing(40),
            _size(4),
        ),
        _style(
            "GovPageNumber",
            "页码",
            _spacing(240, rule="auto") + '<w:jc w:val="right"/>',
            _fonts(SONGTI, SONGTI) + _size(SZ_SIHAO),
        ),
    ]


def _set_styles(document, masthead_pt: int) -> None:
    styles = document.styles.element
    # Document defaults: zh-CN, 仿宋_GB2312 / Times New Roman, 三号 (no theme fonts: they
    # would win over the explicit names and the template's theme is Japanese).
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        styles.remove(defaults)
    styles.insert(
        0,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}>"
            f"<w:rPrDefault><w:rPr>{_fonts(FANGSONG)}{_size(SZ_SANHAO)}{_LANG}</w:rPr></w:rPrDefault>"
            f"<w:pPrDefault><w:pPr>{_spacing()}</w:pPr></w:pPrDefault>"
            "</w:docDefaults>"
        ),
    )
    normal = styles.xpath('w:style[@w:styleId="Normal"]')[0]
    for child in list(normal):
        if child.tag in (qn("w:pPr"), qn("w:rPr")):
            normal.remove(child)
    normal.append(
        parse_xml(f'<w:pPr {nsdecls("w")}><w:widowControl w:val="0"/>{_spacing()}<w:jc w:val="both"/></w:pPr>')
    )
    normal.append(
        parse_xml(
            f'<w:rPr {nsdecls("w")}>{_fonts(FANGSONG)}<w:spacing w:val="{CONDENSE}"/>{_size(SZ_SANHAO)}{_LANG}</w:rPr>'
        )
    )
    for xml in _styles(masthead_pt):
        styles.append(parse_xml(xml))


def _set_settings(document) -> None:
    settings = document.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
    for tag in ("w:proofState", "w:rsids"):
        el = settings.find(qn(tag))
        if el is not None:
            settings.remove(el)
    document.settings.odd_and_even_pages_header_footer = True


def _set_font_table(document) -> None:
    part = document.part.part_related_by(RT.FONT_TABLE)
    entries = [
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        for name, (alt, family, pitch) in _CJK_FONTS.items()
    ]
    entries.append(
        f'<w:font w:name="{LATIN}"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts {nsdecls("w")}>{"".join(entries)}</w:fonts>'
    )
    part._blob = xml.encode()  # a plain Part in python-docx: its content is its blob


def _drop_thumbnail(document) -> None:
    """python-docx's template carries a thumbnail of some other document."""
    rels = document.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del rels[rid]


def _set_section(document) -> None:
    body = document.element.body
    for sect in body.iter(qn("w:sectPr")):
        for tag in ("w:pgSz", "w:pgMar", "w:cols", "w:docGrid", "w:titlePg"):
            el = sect.find(qn(tag))
            if el is not None:
                sect.remove(el)
        sect.append(parse_xml(f'<w:pgSz {nsdecls("w")} w:w="{PAGE_W}" w:h="{PAGE_H}"/>'))
        sect.append(
            parse_xml(
                f'<w:pgMar {nsdecls("w")} w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}"'
                f' w:left="{MARGIN_LEFT}" w:header="{HEADER_DIST}" w:footer="{FOOTER_DIST}" w:gutter="0"/>'
            )
        )
        sect.append(parse_xml(f'<w:cols {nsdecls("w")} w:space="425"/>'))
        sect.append(parse_xml(f'<w:docGrid {nsdecls("w")} w:type="lines" w:linePitch="{LINE}"/>'))


def _page_number_paragraph(odd: bool) -> str:
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>1</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    # odd pages: at the right, one character in; even pages: at the left, one character in
    ppr = (
        '<w:ind w:right="280" w:rightChars="100"/><w:jc w:val="right"/>'
        if odd
        else '<w:ind w:left="280" w:leftChars="100"/><w:jc w:val="left"/>'
    )
    return _para("GovPageNumber", _run("— ") + field + _run(" —"), ppr, root=True)


def _set_footers(document) -> None:
    section = document.sections[0]
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        element = footer._element
        for child in list(element):
            element.remove(child)
        element.append(parse_xml(_page_number_paragraph(odd)))


# ---------------------------------------------------------------- the body


def _masthead(issue: DocIssue) -> list[str]:
    out = []
    mark = MARKS.get(issue.confidentiality)
    if mark is None:
        raise ValueError(f"unknown confidentiality {issue.confidentiality!r}")
    if mark:
        out.append(_para("GovMark", _run(mark)))
    name = _line(issue.publication)
    if len(name) > 1 and len(name) <= 6:
        # letter-spaced like a printed 刊头; the last character carries no spacing so the
        # name stays centred
        size = _masthead_size(name)
        gap = max(0, int((0.62 * TEXT_W - len(name) * size * 20) / (len(name) - 1)))
        runs = _run(name[:-1], f'<w:spacing w:val="{min(gap, size * 20)}"/>') + _run(name[-1])
    else:
        runs = _run(name)
    out.append(_para("GovMasthead", runs))
    if issue.special:
        out.append(_para("GovSpecial", _run("增刊")))
    number = number_text(issue)
    approver = _line(issue.approver)
    placement = approver_placement(issue)
    signer = _run("签发人：") + _run(approver, east_asia=KAITI) if approver else ""
    if placement in ("centre", "none"):
        out.append(_para("GovNumber", _run("\t" + number) + (_run("\t") + signer if signer else "")))
    elif placement == "left":
        out.append(_para("GovNumber", _run(number) + _run("\t") + signer, _CLEAR_CENTRE_TAB + '<w:ind w:left="320"/>'))
    else:
        out.append(_para("GovNumber", _run("\t" + number)))
        out.append(_para("GovNumber", signer, '<w:spacing w:before="0"/><w:jc w:val="right"/>'))
    out.append(_para("GovDateLine", _run(f"{_line(issue.office)}\t{format_date(issue.date)}")))
    return out


_CLEAR_CENTRE_TAB = f'<w:tabs><w:tab w:val="clear" w:pos="{TEXT_W // 2}"/></w:tabs>'


def _toc(items: tuple[DocItem, ...]) -> list[str]:
    out = [_para("GovTocHeading", _run("本期要目"))]
    for i, item in enumerate(items, 1):
        out.append(_para("GovToc", _run(f"{i}.\t{_line(item.title)}")))
    return out


_RUN_IN_END = "。！？；：…!?;:"


def _items(items: tuple[DocItem, ...], placed: dict | None = None) -> list[str]:
    out: list[str] = []
    previous = None
    placed = placed or {}
    for index, item in enumerate(items):
        if item.form not in FORMS:
            raise ValueError(f"unknown item form {item.form!r}")
        title = _line(item.title)
        paragraphs = _paragraphs(item.body)
        source = _source_text(item.source)
        if item.form == "brief":
            if previous != "brief":
                out.append(_para("GovBriefHeading", _run("简讯")))
            lead = title + ("" if not title or title[-1] in _RUN_IN_END else "。")
            first = paragraphs[0] if paragraphs else ""
            rest = paragraphs[1:]
            last_suffix = source
            runs = _run(lead, style="GovBriefLead") + _run(first + ("" if rest else last_suffix))
            out.append(_para("GovBody", runs))
            for j, text in enumerate(rest, 1):
                out.append(_para("GovBody", _run(text + (last_suffix if j == len(rest) else ""))))
            out += _pictures(item, placed.get(index, ()))
        else:
            out.append(_para("GovTitle", _lines_run(title_lines(title))))
            for block in split_blocks(paragraphs):
                out.append(_para("GovBody", _run(block)) if isinstance(block, str) else _table(block))
            out += _pictures(item, placed.get(index, ()))
            if source:
                out.append(_para("GovSource", _run(source)))
        previous = item.form
    return out


# A picture is at most as wide as the 版心 (156 mm) and, so that it and its caption fit on
# one page under an item title, at most 150 mm high; never enlarged beyond its own size.
EMU_PER_TWIP = 635
PICTURE_MAX_W = TEXT_W * EMU_PER_TWIP
PICTURE_MAX_H = 150 * 36000


@dataclass(frozen=True)
class _Placed:
    """A picture added to the package: its relationship id and printed size in EMU."""

    rid: str
    cx: int
    cy: int
    shape_id: int


def picture_size(width: int, height: int) -> tuple[int, int]:
    """The printed size (EMU) of a picture whose own size is `width` × `height` EMU: scaled
    down to the 版心 width and the height limit, the aspect ratio kept."""
    scale = min(1.0, PICTURE_MAX_W / max(width, 1), PICTURE_MAX_H / max(height, 1))
    return max(int(width * scale), 1), max(int(height * scale), 1)


def _place_pictures(document, items: tuple[DocItem, ...]) -> dict[int, list[_Placed]]:
    placed: dict[int, list[_Placed]] = {}
    shape_id = 100
    for index, item in enumerate(items):
        for picture in item.pictures:
            rid, image = document.part.get_or_add_image(io.BytesIO(picture.data))
            cx, cy = picture_size(image.width, image.height)
            shape_id += 1
            placed.setdefault(index, []).append(_Placed(rid, cx, cy, shape_id))
    return placed


def _pictures(item: DocItem, placed) -> list[str]:
    """Each picture centred in its own paragraph, its caption below it in 楷体."""
    out = []
    for picture, p in zip(item.pictures, placed, strict=True):
        name = f"图片{p.shape_id}"
        drawing = (
            '<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{p.cx}" cy="{p.cy}"/><wp:docPr id="{p.shape_id}" name="{name}"/>'
            '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f'<pic:pic><pic:nvPicPr><pic:cNvPr id="{p.shape_id}" name="{name}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:embed="{p.rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{p.cx}" cy="{p.cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        )
        out.append(_para("GovPicture", drawing))
        caption = _line(picture.caption)
        if caption:
            out.append(_para("GovCaption", _run(caption)))
    return out


def _table(rows: list[list[str]]) -> str:
    """A simple table of the body (common.tables): as wide as the 版心, ruled cells, in
    仿宋 四号, the first row (the heads) bold and repeated on a new page; equal columns."""
    columns = max(len(r) for r in rows)
    width = TEXT_W // columns
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in range(columns))
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    borders = "".join(_border(side, "000000", 4, 0) for side in sides)
    out = []
    for i, row in enumerate(rows):
        cells = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            + _para("GovTableText", _run(_line(cell), _BOLD if i == 0 else ""))
            + "</w:tc>"
            for cell in row
        )
        header = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if i == 0 else "<w:trPr><w:cantSplit/></w:trPr>"
        out.append(f"<w:tr>{header}{cells}</w:tr>")
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{width * columns}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(out)}</w:tbl>"
    )


# The 版记 sits at the foot of the last page, its last rule on the bottom edge of the 版心
# (GB/T 9704-2012 7.4.1 and 9.1): it is a floating one-column table anchored to the bottom
# of the page's text area, so however much or little the last item fills the page it stays
# there, and the rules are the table's borders (as wide as the 版心, the text one
# character in). Paragraph frames (w:framePr) would do in Word, but LibreOffice drops their
# borders and ignores yAlign="bottom".
_RULE_THICK = 8  # 1 pt = 0.35 mm: the first and last rules (7.4.1: 推荐高度为0.35 mm)
_RULE_THIN = 6  # 0.75 pt = 0.26 mm: the rule above the 印发 line (7.4.1: 0.25 mm)


def footer_lines(issue: DocIssue) -> list[tuple[str, str]]:
    """The 版记's recipient lines that have anyone on them: ("报", "国务院办公厅，省委办公厅。")."""
    lines = [("报", issue.bao), ("送", issue.song), ("发", issue.fa), ("抄送", issue.extra)]
    return [(label, text) for label, names in lines if (text := _recipients(names))]


def issued_line(issue: DocIssue) -> tuple[str, str]:
    """The 印发 line: the office (left) and "2026年11月27日印发" (right)."""
    return _line(issue.office), f"{format_date(issue.date)}{'印发' if issue.date else ''}"


def _footer_row(paragraph: str, top_rule: int = 0) -> str:
    borders = f"<w:tcBorders>{_border('top', '000000', top_rule, 0)}</w:tcBorders>" if top_rule else ""
    return f'<w:tr><w:tc><w:tcPr><w:tcW w:w="{TEXT_W}" w:type="dxa"/>{borders}</w:tcPr>{paragraph}</w:tc></w:tr>'


def _distribution(issue: DocIssue) -> list[str]:
    lines = [_para("GovFooter", _run(f"{label}：{text}")) for label, text in footer_lines(issue)]
    tail = [_para("GovFooterIssued", _run("\t".join(issued_line(issue))))]
    if issue.copies:
        tail.append(_para("GovFooterIssued", _run(f"\t（共印{issue.copies}份）")))
    rows = [_footer_row(p) for p in lines]
    rows += [_footer_row(p, _RULE_THIN if lines and i == 0 else 0) for i, p in enumerate(tail)]
    table = (
        "<w:tbl><w:tblPr>"
        '<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="0" w:bottomFromText="0"'
        f' w:vertAnchor="margin" w:horzAnchor="page" w:tblpX="{MARGIN_LEFT}" w:tblpYSpec="bottom"/>'
        '<w:tblOverlap w:val="never"/>'
        f'<w:tblW w:w="{TEXT_W}" w:type="dxa"/>'
        f"<w:tblBorders>{_border('top', '000000', _RULE_THICK, 0)}{_border('bottom', '000000', _RULE_THICK, 0)}"
        "</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
        f'</w:tblPr><w:tblGrid><w:gridCol w:w="{TEXT_W}"/></w:tblGrid>{"".join(rows)}</w:tbl>'
    )
    if issue.footer_page not in FOOTER_PAGES:
        raise ValueError(f"unknown footer page {issue.footer_page!r}")
    # The paragraph a floating table is anchored to (and a body may not end with a table);
    # a page break before it takes the 版记 to the next page.
    out = []
    if issue.footer_page == "blank":
        # the section ends here; the next one (a blank page and the 版记's page) has no
        # page numbers (7.5.1: 版记页前有空白页的，空白页和版记页均不编排页码)
        out.append(_para("GovRule", "", _SECTION_BREAK))
        out.append(_para("GovRule", ""))
    anchor = _para("GovRule", "", "<w:pageBreakBefore/>" if issue.footer_page != "same" else "")
    return [*out, table, anchor]


_SECTION_BREAK = "<w:sectPr/>"  # filled in by _split_sections with the first section's properties


def _body_xml(issue: DocIssue, placed: dict | None = None) -> str:
    parts = _masthead(issue)
    if issue.toc and len(issue.items) >= 2:
        parts += _toc(issue.items)
    parts += _items(issue.items, placed)
    if issue.withheld_note:
        parts.append(_para("GovBody", _run(_line(issue.withheld_note))))
    parts += _distribution(issue)
    return f"<w:body {nsdecls('w', 'wp', 'a', 'pic', 'r')}>{''.join(parts)}</w:body>"


# ---------------------------------------------------------------- API


def _split_sections(document) -> None:
    """For footer_page="blank": the section break paragraph gets the first section's
    properties (page size, margins, page-number footers); the last section, the blank page
    and the 版记's page, gets footers of its own that are empty."""
    body = document.element.body
    final = body.find(qn("w:sectPr"))
    for placeholder in body.iterfind(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:sectPr')}"):
        ppr = placeholder.getparent()
        ppr.replace(placeholder, parse_xml(final.xml))
        for ref in final.findall(qn("w:footerReference")):
            final.remove(ref)
        last = document.sections[-1]
        for footer in (last.footer, last.even_page_footer):
            footer.is_linked_to_previous = False
            for paragraph in footer.paragraphs:
                for run in paragraph.runs:
                    run._r.getparent().remove(run._r)


def build_issue_docx(issue: DocIssue) -> bytes:
    """The issue as a .docx file."""
    document = docx.Document()
    name = _line(issue.publication)
    _set_styles(document, _masthead_size(name) if name else 52)
    _set_settings(document)
    _set_font_table(document)
    _drop_thumbnail(document)
    _set_section(document)
    _set_footers(document)

    body = document.element.body
    sect = body.find(qn("w:sectPr"))
    for child in list(body):
        if child is not sect:
            body.remove(child)
    placed = _place_pictures(document, issue.items)
    for child in list(parse_xml(_body_xml(issue, placed))):
        sect.addprevious(child)
    _split_sections(document)

    props = document.core_properties
    props.title = issue_filename(issue).removesuffix(".docx")
    props.author = props.last_modified_by = _line(issue.office)
    props.comments = ""
    props.subject = name
    props.revision = 1
    if issue.date:
        stamp = datetime.datetime(issue.date.year, issue.date.month, issue.date.day)
        props.created = props.modified = stamp

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|;,%\x00-\x1f\x7f]+')


def issue_filename(issue: DocIssue) -> str:
    """ "每日要情2026年第12期.docx", "每日要情2026年增刊第3期.docx": no path separators, quotes,
    semicolons or control characters, so it can go into a Content-Disposition header
    (as RFC 6266 filename*=UTF-8'' by the caller, the name being Chinese)."""
    name = _UNSAFE_FILENAME.sub("", _line(issue.publication)).replace(" ", "")[:60] or "刊物"
    if not issue.number:
        return f"{name}（待签发）.docx"
    return f"{name}{issue.year}年{'增刊' if issue.special else ''}第{issue.number}期.docx"
