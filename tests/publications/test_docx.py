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
from docx.shared import Cm
from lxml import etree

from publications.docx import DocIssue, DocItem, build_issue_docx, issue_filename

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
    assert paragraphs[3] == "云南省人民政府办公厅\t（待签发）"
    assert "印发" not in "".join(paragraphs)


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
    assert title.font.bold and title.paragraph_format.alignment == 1  # centred


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
    document = docx.Document(io.BytesIO(built))
    tail = [(p.style.name, p.text) for p in document.paragraphs][-10:]
    assert tail == [
        ("刊物正文", ""),  # a blank line after the last item
        ("版记分隔线", ""),
        ("版记", "报：国务院办公厅，省委办公厅。"),
        ("版记", "送：省人大常委会办公厅，省政协办公厅。"),
        ("版记", "发：各州（市）人民政府办公室。"),
        ("版记", "抄送：省委政研室。"),
        ("版记分隔线", ""),
        ("版记印发", "云南省人民政府办公厅\t2026年11月27日印发"),
        ("版记印发", "\t（共印120份）"),
        ("版记分隔线", ""),
    ]
    # black rules as wide as the 版心: thick first and last, thin above the 印发 line
    styles = xml["word/styles.xml"]
    assert style_of(styles, "GovRule").find(f"{w('pPr')}/{w('ind')}") is None
    rules = [
        p.find(f"{w('pPr')}/{w('pBdr')}/{w('top')}")
        for p in xml["word/document.xml"].iter(w("p"))
        if p.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) == "GovRule"
    ]
    assert [r.get(w("color")) for r in rules] == ["000000"] * 3
    assert [int(r.get(w("sz"))) for r in rules] == [8, 4, 8]
    assert style_of(styles, "GovFooter").find(f"{w('rPr')}/{w('sz')}").get(w("val")) == "28"  # 四号
    indent = style_of(styles, "GovFooter").find(f"{w('pPr')}/{w('ind')}")
    assert indent.get(w("hangingChars")) == "200"  # wrapped lines align after "报："


def test_footer_lines_only_for_recipients_given():
    paragraphs = texts(build_issue_docx(make_issue(song=(), extra=(), fa=("甲", "甲", " "), copies=None)))
    assert [p for p in paragraphs if p][-3:] == [
        "报：国务院办公厅，省委办公厅。",
        "发：甲。",
        "云南省人民政府办公厅\t2026年11月27日印发",
    ]
    assert not any(p.startswith(("送：", "抄送：")) or "共印" in p for p in paragraphs)


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
    assert paragraphs[1:4] == ["每日要情", "增刊", "\t增刊第3期\t签发人：张三"]
    assert issue_filename(issue) == "每日要情2026年增刊第3期.docx"


def test_control_characters_are_stripped():
    item = DocItem("标题\x00含\x07控制\x1b字符", "第一段\x0c正文\ufffe。\r\n第二段\x01。", "单位\x08")
    data = build_issue_docx(make_issue(items=(item,), office="办公厅\x0b", bao=("省委\x1f办公厅",)))
    paragraphs = texts(data)
    assert "标题含控制字符" in paragraphs
    assert "第一段正文。" in paragraphs and "第二段。" in paragraphs
    assert "（单位）" in paragraphs
    assert "报：省委办公厅。" in paragraphs
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
