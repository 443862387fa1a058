"""The printed bulletin measured: issues are built, rendered to PDF by LibreOffice
(publications.pdf, the same step that makes the PDF readers download) and the pages
measured with pdfplumber against GB/T 9704-2012, each check naming its clause.

Fonts: the 方正 and GB2312 fonts the file names are not on CI; LibreOffice falls back to
what scripts/system-packages.sh installs (fonts-noto-cjk: Noto Serif CJK SC for 仿宋 and
小标宋, Noto Sans CJK SC for 黑体; Liberation Serif for Times New Roman). Noto's CJK glyphs
are one em wide like the 方正 fonts', so line breaks and page breaks fall where they would;
the checks measure positions, sizes and rules, never glyph shapes. LibreOffice is required
(CI installs it): without it these tests fail rather than skip.
"""

import dataclasses
import datetime
import io

import pdfplumber
import pytest

from publications import pdf
from publications.docx import DocIssue, DocItem, DocPicture
from tests.images import png

MM = 72 / 25.4  # points per millimetre

# GB/T 9704-2012 5.2.1: A4, 210 mm × 297 mm
PAGE_W, PAGE_H = 210, 297
# 5.2.2: 天头（上白边）37 mm ± 1 mm, 订口（左白边）28 mm ± 1 mm, 版心 156 mm × 225 mm
TOP, LEFT, TEXT_W, TEXT_H = 37, 28, 156, 225
RIGHT, BOTTOM = LEFT + TEXT_W, TOP + TEXT_H  # 184 mm, 262 mm
# Marks that may hang past the right edge of the 版心 (LibreOffice compresses or hangs
# closing punctuation at the end of a full line rather than move it to the next).
HANGING = set("，。、；：！？）》」』”’…")

BODY = "今年以来，全市扎实推进兴边富民行动，抵边村寨建设、跨境合作和边民增收齐头并进。"


def _issue(**kwargs) -> DocIssue:
    values = dict(
        publication="信息专报",
        office="云南省人民政府办公厅",
        year=2026,
        number=3,
        total=40,
        date=datetime.date(2026, 11, 27),
        approver="张三",
        items=(DocItem("昆明市守好边境南大门", BODY * 3, "昆明市人民政府办公室"),),
        bao=("省委、省政府领导", "国务院办公厅"),
        song=("省人大常委会办公厅",),
        fa=("各州（市）人民政府办公室",),
        copies=50,
    )
    values.update(kwargs)
    return DocIssue(**values)


CASES = {
    "one item": _issue(),
    "eight items": _issue(
        items=tuple(DocItem(f"第{i}条：全省重点项目建设加快推进", BODY * (2 + i), f"单位{i}") for i in range(1, 9))
    ),
    "composite": _issue(
        items=(DocItem("全省春耕生产和重点项目建设有序推进", BODY * 6, "昆明市、曲靖市、玉溪市", form="composite"),)
    ),
    "briefs": _issue(
        publication="每日要情",
        items=(
            DocItem("全省经济运行稳中向好", BODY * 4, "省统计局"),
            *(DocItem(f"简讯{i}：玉溪市召开项目推进会", BODY, f"玉溪市{i}", form="brief") for i in range(1, 6)),
        ),
    ),
    "long title": _issue(
        items=(
            DocItem(
                "省商务厅推进跨境电商发展，2026年1至10月全省跨境电商交易额达217.0亿元同比增长12.5%，"
                "沿边口岸通关效率持续提升",
                BODY * 5,
                "省商务厅",
            ),
        )
    ),
    "table": _issue(
        items=(
            DocItem(
                "全省跨境电商交易额较快增长",
                BODY * 2
                + "\n| 指标 | 1—10月 | 同比增长 |\n| 跨境电商交易额（亿元） | 217.0 | 12.5% |"
                + "\n| 边民互市贸易额（亿元） | 10.3 | 8.1% |\n"
                + BODY,
                "省商务厅",
            ),
        )
    ),
    # 随文刊发: a picture far wider than the 版心 and one far taller than a page would hold
    "a picture": _issue(
        items=(
            DocItem(
                "边境口岸通关效率持续提升",
                BODY * 2,
                "省商务厅",
                pictures=(DocPicture(png(3000, 1500), "磨憨口岸货运通道"), DocPicture(png(1000, 3000), "边民互市点")),
            ),
        )
    ),
    "long signer": _issue(approver="欧阳某某某某、司马某某某某"),
    # The 版记 would fall alone on page 3: a blank page 3 and the 版记 on page 4, unnumbered.
    "footer alone": _issue(items=(DocItem("全省重点项目建设加快推进", BODY * 24, "省发展改革委"),)),
    # The last item ends on page 5 with room for the 版记: it goes alone to page 6.
    "ends on odd page": _issue(items=(DocItem("全省重点项目建设加快推进", BODY * 60, "省发展改革委"),)),
}


@dataclasses.dataclass
class Rendered:
    footer_page: str
    pages: list  # pdfplumber pages


@pytest.fixture(scope="module")
def rendered():
    out = {}
    handles = []
    for name, issue in CASES.items():
        where, _, data = pdf.fit_footer(issue)
        handle = pdfplumber.open(io.BytesIO(data))
        handles.append(handle)
        out[name] = Rendered(where, handle.pages)
    yield out
    for handle in handles:
        handle.close()


def mm(value: float) -> float:
    return value / MM


def _lines(page):
    """Rules as (x0, x1, y, thickness, colour) in mm: pdfplumber reports borders as lines
    or thin rectangles depending on how LibreOffice draws them."""
    found = []
    for line in page.lines:
        found.append((mm(line["x0"]), mm(line["x1"]), mm(line["top"]), mm(line["linewidth"]), line["stroking_color"]))
    for rect in page.rects:
        if rect["height"] < 3:
            colour = rect.get("non_stroking_color") or rect.get("stroking_color")
            found.append((mm(rect["x0"]), mm(rect["x1"]), mm(rect["top"]), mm(rect["height"]), colour))
    return found


def _red(colour) -> bool:
    return colour is not None and tuple(round(c, 2) for c in colour) in ((1.0, 0.0, 0.0),)


def _black(colour) -> bool:
    return colour is not None and all(c < 0.05 for c in colour[:3]) and len(colour) in (1, 3, 4)


def _footer_rules(page):
    """The 版记's rules: black rules from just above its "报：" line down (a table in the
    body has black rules of its own)."""
    start = next((mm(line["top"]) for line in page.extract_text_lines() if line["text"].startswith("报")), None)
    if start is None:
        return []
    rules = {(round(r[0], 1), round(r[1], 1), round(r[2], 1)): r for r in _lines(page) if _black(r[4])}
    return sorted((r for r in rules.values() if r[2] > start - 8 and r[1] - r[0] > TEXT_W - 2), key=lambda r: r[2])


def _page_number_chars(page):
    return [c for c in page.chars if mm(c["top"]) > BOTTOM + 1]


def _text_lines(page):
    return [line for line in page.extract_text_lines() if mm(line["top"]) < BOTTOM + 1]


@pytest.mark.parametrize("case", list(CASES))
def test_pages_are_a4(rendered, case):
    for page in rendered[case].pages:  # 5.2.1 幅面尺寸
        assert abs(mm(page.width) - PAGE_W) < 0.5 and abs(mm(page.height) - PAGE_H) < 0.5


@pytest.mark.parametrize("case", list(CASES))
def test_no_text_outside_the_type_area_but_hanging_punctuation(rendered, case):
    for number, page in enumerate(rendered[case].pages, 1):
        for char in page.chars:
            if not char["text"].strip():
                continue
            top, bottom = mm(char["top"]), mm(char["bottom"])
            if top > BOTTOM:  # the page number, below the 版心 (7.5)
                continue
            where = f"{case} p{number} {char['text']!r} at x {mm(char['x0']):.1f}–{mm(char['x1']):.1f}, y {top:.1f}"
            # 5.2.2: 版心 156 mm × 225 mm from 37 mm (top) and 28 mm (left)
            assert top >= TOP - 1 and bottom <= BOTTOM + 1, where
            assert mm(char["x0"]) >= LEFT - 1, where
            if char["text"] in HANGING:
                assert mm(char["x1"]) <= RIGHT + 16 / MM + 0.5, where  # at most one character out
            else:
                assert mm(char["x1"]) <= RIGHT + 1, where


@pytest.mark.parametrize("case", list(CASES))
def test_full_body_lines_fill_the_type_area_from_its_left_edge(rendered, case):
    # 5.2.2 订口 28 mm, 版心宽 156 mm: a full line of 3号 characters (5.2.3) spans it
    body = [c for p in rendered[case].pages for c in p.chars if abs(c["size"] - 16) < 0.3 and mm(c["top"]) < BOTTOM]
    assert body
    assert abs(min(mm(c["x0"]) for c in body) - LEFT) < 1
    widest = max(mm(c["x1"]) for c in body if c["text"] not in HANGING)
    assert abs(widest - RIGHT) < 1.5


@pytest.mark.parametrize("case", list(CASES))
def test_red_rule_as_wide_as_the_type_area_under_the_masthead(rendered, case):
    first = rendered[case].pages[0]
    red = [r for r in _lines(first) if _red(r[4])]
    assert red, "the 版头's red rule"
    x0, x1, y, thickness, _ = red[0]
    # 7.2.7 版头中的分隔线: 居中印一条与版心等宽的红色分隔线
    assert abs(x0 - LEFT) < 0.5 and abs(x1 - RIGHT) < 0.5
    assert 0.5 <= thickness <= 1.2  # 2 pt
    # under the office and date line, above the first title
    date_line = next(line for line in first.extract_text_lines() if "2026" in line["text"] and "日" in line["text"])
    assert mm(date_line["bottom"]) < y < mm(date_line["bottom"]) + 6
    # on every page the red rule is only in the 版头
    assert all(not any(_red(r[4]) for r in _lines(p)) for p in rendered[case].pages[1:])


@pytest.mark.parametrize("case", list(CASES))
def test_title_and_body_sizes(rendered, case):
    chars = [c for p in rendered[case].pages for c in p.chars if mm(c["top"]) < BOTTOM]
    titles = [c for c in chars if abs(c["size"] - 22) < 0.3]
    body = [c for c in chars if abs(c["size"] - 16) < 0.3]
    issue = CASES[case]
    full = [i for i in issue.items if i.form != "brief"]
    # 7.3.1 标题: 2号小标宋体字 (22 pt); 7.3.3 正文: 3号仿宋体字 (16 pt)
    assert "".join(c["text"] for c in titles).replace(" ", "") == "".join(i.title for i in full).replace(" ", "")
    paragraphs = [p for i in issue.items for p in i.body.split("\n") if not p.startswith("|")]  # tables: 4号
    assert len(body) > sum(len(p) for p in paragraphs) * 0.9


def test_a_long_title_is_centred_on_balanced_lines(rendered):
    page = rendered["long title"].pages[0]
    lines = [line for line in page.extract_text_lines() if abs(line["chars"][0]["size"] - 22) < 0.3]
    assert len(lines) == 3
    widths = [mm(line["x1"] - line["x0"]) for line in lines]
    assert min(widths) > max(widths) / 2  # no orphan of a few characters
    for line in lines:  # centred in the 版心
        assert abs((mm(line["x0"]) + mm(line["x1"])) / 2 - (LEFT + RIGHT) / 2) < 4


def test_a_long_signer_stays_on_the_number_line(rendered):
    page = rendered["long signer"].pages[0]
    line = next(line for line in page.extract_text_lines() if "签发人" in line["text"])
    assert "第3期" in line["text"].replace(" ", "")  # one line, 期号 and 签发人
    date_line = next(line for line in page.extract_text_lines() if "2026" in line["text"])
    assert mm(date_line["top"]) - mm(line["top"]) < 12  # the date line was not pushed down


@pytest.mark.parametrize("case", list(CASES))
def test_page_numbers_below_the_type_area_odd_right_even_left(rendered, case):
    result = rendered[case]
    numbered = result.pages if result.footer_page != "blank" else result.pages[:-2]
    for number, page in enumerate(numbered, 1):
        chars = _page_number_chars(page)
        text = "".join(c["text"] for c in chars).replace(" ", "")
        # 7.5 页码: 4号半角宋体阿拉伯数字 (14 pt), 数字左右各放一条一字线
        assert text == f"—{number}—", (case, number, text)
        assert all(abs(c["size"] - 14) < 0.3 for c in chars)
        # 一字线上距版心下边缘7 mm
        assert abs(min(mm(c["top"]) for c in chars) - (BOTTOM + 7)) < 1.5
        # 单页码居右空一字，双页码居左空一字 (one 4号 character: 4.9 mm)
        if number % 2:
            assert abs(max(mm(c["x1"]) for c in chars) - (RIGHT - 4.9)) < 1.5
        else:
            assert abs(min(mm(c["x0"]) for c in chars) - (LEFT + 4.9)) < 1.5


@pytest.mark.parametrize("case", list(CASES))
def test_footer_rules_and_the_last_one_on_the_bottom_edge_of_the_last_page(rendered, case):
    result = rendered[case]
    last = result.pages[-1]
    rules = _footer_rules(last)
    assert len(rules) == 3, rules
    # 7.4.1 版记中的分隔线: 与版心等宽；首条和末条用粗线（推荐高度0.35 mm），中间用细线（0.25 mm）
    for x0, x1, _, _, _ in rules:
        assert abs(x0 - LEFT) < 0.5 and abs(x1 - RIGHT) < 0.5
    thickness = [r[3] for r in rules]
    assert abs(thickness[0] - 0.35) < 0.06 and abs(thickness[2] - 0.35) < 0.06
    assert abs(thickness[1] - 0.25) < 0.06
    # 末条分隔线与公文最后一面的版心下边缘重合 (± 3 mm)
    assert abs(rules[-1][2] - BOTTOM) <= 3, rules[-1]
    # no 版记 before the last page
    assert all(not _footer_rules(p) for p in result.pages[:-1])
    # the 版记 is on an even page where there are several (7.4, 7.5)
    assert len(result.pages) == 1 or len(result.pages) % 2 == 0
    # the 版记's lines lie between its first and last rules
    footer = [line for line in _text_lines(last) if rules[0][2] < mm(line["top"]) < rules[-1][2]]
    assert [line["text"].replace(" ", "")[:2] for line in footer][:3] == ["报：", "送：", "发："]


def test_a_footer_that_would_stand_alone_on_an_odd_page_follows_an_unnumbered_blank_page(rendered):
    result = rendered["footer alone"]
    assert result.footer_page == "blank" and len(result.pages) == 4
    blank, footer_page = result.pages[-2], result.pages[-1]
    assert not blank.chars  # 7.5: 空白页和版记页均不编排页码
    assert not _page_number_chars(footer_page)
    assert _text_lines(footer_page)[0]["text"].replace(" ", "").startswith("报：")


def test_a_footer_after_an_item_ending_on_an_odd_page_takes_the_next_even_page(rendered):
    result = rendered["ends on odd page"]
    assert result.footer_page == "next" and len(result.pages) == 6
    assert _text_lines(result.pages[-1])[0]["text"].replace(" ", "").startswith("报：")
    assert "".join(c["text"] for c in _page_number_chars(result.pages[-1])).replace(" ", "") == "—6—"
    assert "省发展改革委" in result.pages[-2].extract_text().replace(" ", "")  # the item ended on page 5


def test_a_table_is_ruled_in_fangsong_within_the_type_area(rendered):
    page = rendered["table"].pages[0]
    cells = [c for c in page.chars if abs(c["size"] - 14) < 0.3 and mm(c["top"]) < BOTTOM]
    assert "跨境电商交易额" in "".join(c["text"] for c in cells)  # 4号 in the table
    footer_top = min((r[2] for r in _footer_rules(page)), default=BOTTOM)
    ruled = [r for r in _lines(page) if _black(r[4]) and r[2] < footer_top - 1]
    horizontal = {round(r[2]) for r in ruled if r[1] - r[0] > 20}
    assert len(horizontal) >= 4  # a rule above, between and below the three rows
    assert all(r[0] >= LEFT - 0.5 and r[1] <= RIGHT + 0.5 for r in ruled)  # within the 版心


def test_one_item_shares_its_page_with_the_footer(rendered):
    result = rendered["one item"]
    assert result.footer_page == "same" and len(result.pages) == 1


def test_a_picture_is_scaled_into_the_type_area_centred_with_its_caption_below(rendered):
    pages = rendered["a picture"].pages
    images = [(number, image) for number, page in enumerate(pages) for image in page.images]
    assert len(images) == 2
    sizes = []
    for number, image in images:
        x0, x1, top, bottom = mm(image["x0"]), mm(image["x1"]), mm(image["top"]), mm(image["bottom"])
        # 5.2.2 版心 156 mm × 225 mm: the picture stays inside it
        assert x0 >= LEFT - 0.5 and x1 <= RIGHT + 0.5 and top >= TOP - 0.5 and bottom <= BOTTOM + 0.5
        assert abs((x0 + x1) / 2 - (LEFT + RIGHT) / 2) < 1  # centred
        sizes.append((x1 - x0, bottom - top))
        # the caption: the next text line below the picture, centred, in 4号
        below = [line for line in _text_lines(pages[number]) if mm(line["top"]) >= bottom - 0.5]
        caption = min(below, key=lambda line: line["top"])
        assert caption["text"].replace(" ", "") in ("磨憨口岸货运通道", "边民互市点")
        assert mm(caption["top"]) - bottom < 8
        assert all(abs(c["size"] - 14) < 0.3 for c in caption["chars"])
        assert abs((mm(caption["x0"]) + mm(caption["x1"])) / 2 - (LEFT + RIGHT) / 2) < 2
    (wide_w, wide_h), (tall_w, tall_h) = sizes
    assert abs(wide_w - TEXT_W) < 1 and abs(wide_w / wide_h - 2) < 0.02  # scaled to the 版心 width, aspect kept
    assert abs(tall_h - 150) < 1 and abs(tall_h / tall_w - 3) < 0.05  # too tall: scaled to 150 mm high
