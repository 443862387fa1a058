"""build_issue_docx(): the Word document of an issue. No database: the builder takes plain
data. The structure is checked with python-docx and on the XML itself; one test has
LibreOffice render it to PDF (CI installs LibreOffice; without it that test fails)."""

import datetime
import io
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from lxml import etree

from publications.docx import (
    TITLE_CHARS,
    DocIssue,
    DocItem,
    approver_placement,
    build_issue_docx,
    issue_filename,
    text_width,
    title_lines,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def w(name):
    return f"{{{W}}}{name}"


ITEMS = (
    DocItem(
        "昆明市守好边境“南大门”",
        "今年以来，昆明市扎实推进兴边富民行动。\n一是建设抵边村寨。\n\n　　二是深化跨境合作，货值217.0亿元。",
        "昆明市发展改革委",
    ),
    DocItem("曲靖市全力保障“菜篮子”供应", "曲靖市蔬菜供应充足。", "（曲靖市人民政府办公室）"),
    DocItem("玉溪市召开项目推进会", "会议部署了下一阶段工作。", "玉溪市", form="brief"),
    DocItem("大理州边民互市贸易额突破10亿元。", "同比增长12.5%。", "大理州", form="brief"),
    DocItem("省商务厅推进跨境电商发展", "跨境电商交易额增长。", "省商务厅", form="excerpt"),
)


def make_issue(**kwargs):
    values = dict(
        publication="每日要情",
        office="云南省人民政府办公厅",
        year=2026,
        number=12,
        total=345,
        date=datetime.date(2026, 11, 27),
        approver="张三",
        items=ITEMS,
        bao=("国务院办公厅", "省委办公厅"),
        song=("省人大常委会办公厅", "省政协办公厅"),
        fa=("各州（市）人民政府办公室",),
        extra=("省委政研室",),
        copies=120,
    )
    values.update(kwargs)
    return DocIssue(**values)


def parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: etree.fromstring(z.read(name)) for name in z.namelist() if name.endswith(".xml")}


def texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def footer_texts(data: bytes) -> list[str]:
    """The 版记's lines: the paragraphs of the document's last table."""
    table = docx.Document(io.BytesIO(data)).tables[-1]
    return [p.text for row in table.rows for p in row.cells[0].paragraphs]


def style_of(styles, style_id):
    found = styles.xpath(f'w:style[@w:styleId="{style_id}"]', namespaces=NS)
    assert found, style_id
    return found[0]


@pytest.fixture(scope="module")
def built():
    return build_issue_docx(make_issue())


@pytest.fixture(scope="module")
def xml(built):
    return parts(built)


@pytest.fixture(scope="module")
def paragraphs(built):
    return texts(built)


def test_a4_portrait_with_the_standard_margins(built, xml):
    section = docx.Document(io.BytesIO(built)).sections[0]
    for value, cm in (
        (section.page_width, 21.0),
        (section.page_height, 29.7),
        (section.top_margin, 3.7),
        (section.bottom_margin, 3.5),
        (section.left_margin, 2.8),
        (section.right_margin, 2.6),
    ):
        assert abs(value - Cm(cm)) < Cm(0.01), (value.cm, cm)
    # the 版心: 156 × 225 mm
    assert abs(section.page_width - section.left_margin - section.right_margin - Cm(15.6)) < Cm(0.01)
    assert abs(section.page_height - section.top_margin - section.bottom_margin - Cm(22.5)) < Cm(0.01)
    sects = xml["word/document.xml"].findall(f".//{w('sectPr')}")
    assert sects and all(s.find(w("pgSz")).get(w("w")) == "11906" for s in sects)
    assert all(s.find(w("pgSz")).get(w("orient")) in (None, "portrait") for s in sects)


def test_language_and_east_asian_fonts_are_set_on_styles(xml):
    styles = xml["word/styles.xml"]
    defaults = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
    normal = style_of(styles, "Normal").find(w("rPr"))
    for rpr in (defaults, normal):
        lang = rpr.find(w("lang"))
        assert lang.get(w("eastAsia")) == "zh-CN"
        fonts = rpr.find(w("rFonts"))
        assert fonts.get(w("eastAsia")) == "仿宋_GB2312"
        assert fonts.get(w("ascii")) == fonts.get(w("hAnsi")) == "Times New Roman"
        assert fonts.get(w("eastAsiaTheme")) is None  # a theme font would override the name
        assert rpr.find(w("sz")).get(w("val")) == "32"  # 三号
    for style_id, font in (("GovMasthead", "方正小标宋简体"), ("GovTitle", "方正小标宋简体"), ("GovMark", "黑体")):
        fonts = style_of(styles, style_id).find(f"{w('rPr')}/{w('rFonts')}")
        assert fonts.get(w("eastAsia")) == font
    settings = xml["word/settings.xml"]
    assert settings.find(w("themeFontLang")).get(w("eastAsia")) == "zh-CN"
    for name in ("word/styles.xml", "word/settings.xml", "word/document.xml"):
        assert b"ja-JP" not in etree.tostring(xml[name])


def test_fonts_are_not_repeated_on_every_run(xml):
    runs = xml["word/document.xml"].findall(f".//{w('r')}")
    assert len(runs) > 10
    named = [f for f in xml["word/document.xml"].iter(w("rFonts")) if f.get(w("ascii")) or f.get(w("eastAsia"))]
    assert len(named) <= 1  # only the approver's name, in 楷体


def test_body_paragraphs_have_the_fixed_line_and_two_character_indent(xml):
    styles = xml["word/styles.xml"]
    spacing = style_of(styles, "Normal").find(f"{w('pPr')}/{w('spacing')}")
    assert spacing.get(w("lineRule")) == "exact"
    assert 560 <= int(spacing.get(w("line"))) <= 580  # 28–29 pt
    ind = style_of(styles, "GovBody").find(f"{w('pPr')}/{w('ind')}")
    assert ind.get(w("firstLineChars")) == "200"


def test_masthead(paragraphs, xml):
    assert paragraphs[0] == "内部资料　注意保存"
    assert paragraphs[1] == "每日要情"
    rpr = style_of(xml["word/styles.xml"], "GovMasthead").find(w("rPr"))
    assert rpr.find(w("color")).get(w("val")) in ("FF0000", "C00000")
    assert int(rpr.find(w("sz")).get(w("val"))) >= 2 * 26
    number = paragraphs[2]
    assert "第12期" in number and "（总第345期）" in number
    assert number.rstrip().endswith("签发人：张三")
    assert paragraphs[3] == "云南省人民政府办公厅\t2026年11月27日"
    # the red rule under the date line, across the text width
    rule = style_of(xml["word/styles.xml"], "GovDateLine").find(f"{w('pPr')}/{w('pBdr')}/{w('bottom')}")
    assert rule.get(w("color")) in ("FF0000", "C00000")
    assert 12 <= int(rule.get(w("sz"))) <= 16


def test_without_date_total_or_approver():
    paragraphs = texts(build_issue_docx(make_issue(date=None, total=None, approver="")))
    assert paragraphs[2] == "\t第12期"
    assert footer_texts(build_issue_docx(make_issue(date=None)))[-2] == "云南省人民政府办公厅\t（待签发）"
    assert paragraphs[3] == "云南省人民政府办公厅\t（待签发）"
    assert "印发" not in "".join(paragraphs)


def test_a_draft_says_it_is_numbered_at_sign_off_as_the_page_does():
    issue = make_issue(number=None, total=None, date=None, approver="")
    assert texts(build_issue_docx(issue))[2] == "\t（待签发，签发时编号）"
    assert "第0期" not in "".join(texts(build_issue_docx(issue)))
    assert issue_filename(issue) == "每日要情（待签发）.docx"


@pytest.mark.parametrize(
    ("approver", "placement"),
    [("张三", "centre"), ("欧阳某某某某", "left"), ("欧阳某某某某、司马某某某某、诸葛某某某某", "own")],
)
def test_the_number_line_never_wraps_with_a_long_signer(approver, placement):
    issue = make_issue(approver=approver)
    assert approver_placement(issue) == placement
    paragraphs = texts(build_issue_docx(issue))
    if placement == "own":
        assert paragraphs[2] == "\t第12期（总第345期）"
        assert paragraphs[3] == f"签发人：{approver}"
    else:
        assert paragraphs[2].endswith(f"\t签发人：{approver}")
        # what one line holds: 28 characters of the body size (GB/T 9704-2012 5.2.2)
        assert text_width(paragraphs[2].replace("\t", "")) + (2 if placement == "left" else 0) <= 28


@pytest.mark.parametrize(
    "title",
    [
        "昆明市守好边境南大门扎实推进兴边富民行动全力建设现代化边境幸福村",
        "省商务厅推进跨境电商发展，2026年1至10月全省跨境电商交易额达217.0亿元同比增长12.5%",
        "曲靖市全力保障菜篮子供应",
    ],
)
def test_long_titles_break_into_balanced_lines(title):
    lines = title_lines(title)
    assert "".join(lines) == title
    assert all(text_width(line) <= TITLE_CHARS for line in lines)
    widths = [text_width(line) for line in lines]
    # no orphan: the shortest line is at least half as long as the longest
    assert min(widths) >= max(widths) / 2
    for a, b in zip(lines, lines[1:], strict=False):
        assert not (a[-1].isascii() and a[-1].isalnum() and b[0].isascii())  # 217.0 stays whole
        assert b[0] not in "，、。：；！？）》”"


def test_a_long_title_prefers_a_break_after_punctuation():
    assert title_lines("全省一季度经济运行总体平稳，工业投资消费三大指标均实现两位数增长") == [
        "全省一季度经济运行总体平稳，",
        "工业投资消费三大指标均实现两位数增长",
    ]


def test_table_of_contents(paragraphs):
    start = paragraphs.index("本期要目")
    assert paragraphs[start + 1 : start + 1 + len(ITEMS)] == [f"{i}.\t{item.title}" for i, item in enumerate(ITEMS, 1)]
    assert start < paragraphs.index(ITEMS[0].title)


def test_no_table_of_contents_for_one_item_or_when_off():
    assert "本期要目" not in texts(build_issue_docx(make_issue(items=ITEMS[:1])))
    assert "本期要目" not in texts(build_issue_docx(make_issue(toc=False)))


def test_items_in_order(paragraphs):
    start = paragraphs.index("本期要目") + len(ITEMS) + 1
    assert paragraphs[start : start + 10] == [
        "昆明市守好边境“南大门”",
        "今年以来，昆明市扎实推进兴边富民行动。",
        "一是建设抵边村寨。",
        "二是深化跨境合作，货值217.0亿元。",  # blank line dropped, 　　 indent stripped
        "（昆明市发展改革委）",
        "曲靖市全力保障“菜篮子”供应",
        "曲靖市蔬菜供应充足。",
        "（曲靖市人民政府办公室）",  # not wrapped twice
        "简讯",
        "玉溪市召开项目推进会。会议部署了下一阶段工作。（玉溪市）",
    ]
    assert paragraphs[start + 10 : start + 14] == [
        "大理州边民互市贸易额突破10亿元。同比增长12.5%。（大理州）",
        "省商务厅推进跨境电商发展",
        "跨境电商交易额增长。",
        "（省商务厅）",
    ]


def test_paragraph_styles(built):
    document = docx.Document(io.BytesIO(built))
    by_text = {p.text: p for p in document.paragraphs}
    assert by_text["昆明市守好边境“南大门”"].style.name == "信息标题"
    assert by_text["一是建设抵边村寨。"].style.name == "刊物正文"
    source = by_text["（昆明市发展改革委）"]
    assert source.style.name == "信息来源"
    assert source.style.paragraph_format.alignment == 2  # right
    title = docx.Document(io.BytesIO(built)).styles["信息标题"]
    # 二号 小标宋 (GB/T 9704-2012 7.3.1), not body text made bold
    assert title.font.size.pt == 22 and not title.font.bold and title.paragraph_format.alignment == 1
    assert title.font.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"


def test_briefs_share_one_heading_and_lead_with_a_bold_title(built, paragraphs):
    assert paragraphs.count("简讯") == 1
    brief = next(p for p in docx.Document(io.BytesIO(built)).paragraphs if p.text.startswith("玉溪市召开"))
    lead = brief.runs[0]
    assert lead.text == "玉溪市召开项目推进会。"
    assert lead.style.name == "简讯标题文字" and lead.style.font.bold
    assert not brief.runs[1].bold
    # briefs apart from each other get a heading each
    items = (ITEMS[2], ITEMS[0], ITEMS[3])
    assert texts(build_issue_docx(make_issue(items=items, toc=False))).count("简讯") == 2


def test_distribution_footer(built, xml):
    assert footer_texts(built) == [
        "报：国务院办公厅，省委办公厅。",
        "送：省人大常委会办公厅，省政协办公厅。",
        "发：各州（市）人民政府办公室。",
        "抄送：省委政研室。",
        "云南省人民政府办公厅\t2026年11月27日印发",
        "\t（共印120份）",
    ]
    document = docx.Document(io.BytesIO(built))
    assert [p.style.name for p in document.tables[-1]._cells[0].paragraphs] == ["版记"]
    # a table floating at the bottom of the 版心 (GB/T 9704-2012 7.4.1: 版记 at the foot of
    # the last page), as wide as the 版心, from its left edge
    tbl = xml["word/document.xml"].find(f".//{w('tbl')}")
    position = tbl.find(f"{w('tblPr')}/{w('tblpPr')}")
    assert position.get(w("vertAnchor")) == "margin" and position.get(w("tblpYSpec")) == "bottom"
    assert position.get(w("horzAnchor")) == "page" and position.get(w("tblpX")) == "1588"
    assert tbl.find(f"{w('tblPr')}/{w('tblW')}").get(w("w")) == "8844"
    # black rules: thick first and last (0.35 mm), thin above the 印发 line (0.25 mm)
    borders = tbl.find(f"{w('tblPr')}/{w('tblBorders')}")
    assert [borders.find(w(side)).get(w("sz")) for side in ("top", "bottom")] == ["8", "8"]
    inner = [b for b in tbl.iter(w("tcBorders"))]
    assert [b.find(w("top")).get(w("sz")) for b in inner] == ["6"]
    styles = xml["word/styles.xml"]
    assert style_of(styles, "GovFooter").find(f"{w('rPr')}/{w('sz')}").get(w("val")) == "28"  # 四号
    indent = style_of(styles, "GovFooter").find(f"{w('pPr')}/{w('ind')}")
    assert indent.get(w("hangingChars")) == "200"  # wrapped lines align after "报："


def test_footer_lines_only_for_recipients_given():
    lines = footer_texts(build_issue_docx(make_issue(song=(), extra=(), fa=("甲", "甲", " "), copies=None)))
    assert lines == ["报：国务院办公厅，省委办公厅。", "发：甲。", "云南省人民政府办公厅\t2026年11月27日印发"]


@pytest.mark.parametrize("where", ["same", "next", "blank"])
def test_the_footer_goes_to_the_page_the_pdf_step_chose(where):
    data = build_issue_docx(make_issue(footer_page=where))
    body = parts(data)["word/document.xml"].find(w("body"))
    tbl = body.find(w("tbl"))
    anchor = tbl.getnext()
    assert (anchor.find(f"{w('pPr')}/{w('pageBreakBefore')}") is not None) == (where != "same")
    sections = body.findall(f".//{w('sectPr')}")
    if where == "blank":
        # the blank page and the 版记's page: a section whose footers print no page number
        assert len(sections) == 2
        document = docx.Document(io.BytesIO(data))
        last = document.sections[-1]
        assert not last.footer.is_linked_to_previous and "PAGE" not in last.footer._element.xml
        assert not last.even_page_footer.is_linked_to_previous
        assert "PAGE" in document.sections[0].footer._element.xml
    else:
        assert len(sections) == 1
    with pytest.raises(ValueError):
        build_issue_docx(make_issue(footer_page="middle"))


def test_page_number_field_in_the_footer(xml):
    footers = [x for name, x in xml.items() if name.startswith("word/footer")]
    assert len(footers) == 2  # odd pages at the right, even pages at the left
    for footer in footers:
        instr = "".join(footer.itertext())
        assert "PAGE" in "".join(t.text for t in footer.iter(w("instrText")))
        assert re.search(r"—\s*PAGE\s*1\s*—", instr.replace("\n", "")), instr
    aligns = sorted(f.find(f".//{w('jc')}").get(w("val")) for f in footers)
    assert aligns == ["left", "right"]
    assert xml["word/settings.xml"].find(w("evenAndOddHeaders")) is not None
    rpr = style_of(xml["word/styles.xml"], "GovPageNumber").find(w("rPr"))
    assert rpr.find(w("rFonts")).get(w("eastAsia")) == "宋体"
    assert rpr.find(w("sz")).get(w("val")) == "28"


@pytest.mark.parametrize(
    ("confidentiality", "mark"),
    [
        ("内部", "内部资料　注意保存"),
        ("internal", "内部资料　注意保存"),
        ("敏感", "敏感信息　严格控制知悉范围"),
        ("公开", None),
    ],
)
def test_confidentiality_mark(confidentiality, mark):
    paragraphs = texts(build_issue_docx(make_issue(confidentiality=confidentiality)))
    if mark:
        assert paragraphs[0] == mark
    else:
        assert paragraphs[0] == "每日要情"
        assert not any("注意保存" in p or "知悉范围" in p for p in paragraphs)


def test_unknown_confidentiality_or_form_is_refused():
    with pytest.raises(ValueError):
        build_issue_docx(make_issue(confidentiality="绝密"))
    with pytest.raises(ValueError):
        build_issue_docx(make_issue(items=(DocItem("题", "文", form="poem"),)))


def test_special_issue():
    issue = make_issue(special=True, number=3, total=None)
    paragraphs = texts(build_issue_docx(issue))
    # 增刊 once, under the masthead
    assert paragraphs[1:4] == ["每日要情", "增刊", "\t第3期\t签发人：张三"]
    assert issue_filename(issue) == "每日要情2026年增刊第3期.docx"


def test_control_characters_are_stripped():
    item = DocItem("标题\x00含\x07控制\x1b字符", "第一段\x0c正文\ufffe。\r\n第二段\x01。", "单位\x08")
    data = build_issue_docx(make_issue(items=(item,), office="办公厅\x0b", bao=("省委\x1f办公厅",)))
    paragraphs = texts(data)
    assert "标题含控制字符" in paragraphs
    assert "第一段正文。" in paragraphs and "第二段。" in paragraphs
    assert "（单位）" in paragraphs
    assert "报：省委办公厅。" in footer_texts(data)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", "".join(paragraphs))


def test_core_properties(built):
    props = docx.Document(io.BytesIO(built)).core_properties
    assert props.title == "每日要情2026年第12期"
    assert props.author == "云南省人民政府办公厅"
    with zipfile.ZipFile(io.BytesIO(built)) as z:
        assert not any("thumbnail" in name for name in z.namelist())


def test_filename():
    assert issue_filename(make_issue()) == "每日要情2026年第12期.docx"
    assert issue_filename(make_issue(publication='a/b\\"c;\r\n要情')) == "abc要情2026年第12期.docx"
    assert issue_filename(make_issue(publication="")) == "刊物2026年第12期.docx"


def test_libreoffice_renders_an_a4_pdf(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed to render the issue"
    source = tmp_path / "issue.docx"
    source.write_bytes(build_issue_docx(make_issue()))
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "issue.pdf"
    assert pdf.exists(), result.stdout + result.stderr
    first_page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    compact = re.sub(r"\s+", "", first_page)
    assert "每日要情" in compact
    assert "第12期" in compact
    assert "内部资料" in compact
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    assert re.search(r"Page size:\s+595(\.\d+)? x 841(\.\d+)? pts", info), info


def test_a_simple_table_in_the_body_becomes_a_ruled_table_within_the_type_area():
    body = "全省跨境电商发展较快。\n| 指标 | 1—10月 | 同比 |\n|---|---|---|\n| 交易额（亿元） | 217.0 | 12.5% |\n"
    body += "表后的段落。"
    data = build_issue_docx(make_issue(items=(DocItem("跨境电商", body, "省商务厅"),), toc=False))
    document = docx.Document(io.BytesIO(data))
    table = document.tables[0]  # the 版记 is the last table
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows == [["指标", "1—10月", "同比"], ["交易额（亿元）", "217.0", "12.5%"]]
    assert all(run.bold for run in table.rows[0].cells[0].paragraphs[0].runs)
    assert table.rows[0].cells[0].paragraphs[0].style.name == "表格文字"
    tbl = table._tbl
    assert int(tbl.find(f"{w('tblPr')}/{w('tblW')}").get(w("w"))) <= 8844  # within the 版心
    borders = tbl.find(f"{w('tblPr')}/{w('tblBorders')}")
    assert {b.get(w("val")) for b in borders} == {"single"} and len(borders) == 6  # ruled cells
    texts_ = [p.text for p in document.paragraphs]
    assert "全省跨境电商发展较快。" in texts_ and "表后的段落。" in texts_
    assert not any("|" in t for t in texts_)
