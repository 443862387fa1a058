import re

from django.utils.html import conditional_escape

from submissions.diff import diff_html, diff_stats

WRITER = """\
\u3000\u3000今年1—5月，昆明市发展改革委牵头推进的312个市级重点项目累计完成投资386.2亿元，占年度计划的46.8%，同比增长12.4%。
\u3000\u3000新开工项目加快落地。1—5月全市新开工重点项目57个，总投资412亿元，其中23个项目提前一个月开工。
\u3000\u3000在建项目有序推进。全市在建重点项目245个，完成投资301.5亿元。
\u3000\u3000要素保障持续加强。协调解决项目用地、用能、融资等问题41个。"""

# The editor corrects a figure, tightens a sentence, drops a paragraph and adds one.
EDITOR = """今年1—5月，昆明市312个市级重点项目累计完成投资401.5亿元，占年度计划的46.8%，同比增长12.4%。
新开工项目加快落地。1—5月全市新开工重点项目57个，总投资412亿元，其中23个项目提前一个月开工。
要素保障持续加强。协调解决项目用地、用能、融资等问题41个。
下一步，将对进度滞后的19个项目逐一督办。"""


def test_identical_texts_are_plain_paragraphs():
    html = diff_html(WRITER, WRITER)
    assert html.count("<p>") == 4
    assert "<del" not in html and "<ins" not in html
    assert diff_stats(WRITER, WRITER) == {"inserted": 0, "deleted": 0}


def test_reindenting_is_not_an_edit():
    assert "<del" not in diff_html(WRITER, WRITER.replace("\u3000", "")) and "<ins" not in diff_html(WRITER, WRITER)


def test_edits_are_shown_by_character_and_figures_as_whole_numbers():
    html = diff_html(WRITER, EDITOR)
    first = html.split("\n")[0]
    assert first == (
        "<p>今年1—5月，昆明市"
        '<del class="gi-del">发展改革委牵头推进的</del>'
        "312个市级重点项目累计完成投资"
        '<del class="gi-del">386.2</del><ins class="gi-ins">401.5</ins>'
        "亿元，占年度计划的46.8%，同比增长12.4%。</p>"
    )


def test_whole_paragraphs_deleted_and_inserted():
    paragraphs = diff_html(WRITER, EDITOR).split("\n")
    assert len(paragraphs) == 5
    assert (
        paragraphs[1]
        == "<p>新开工项目加快落地。1—5月全市新开工重点项目57个，总投资412亿元，其中23个项目提前一个月开工。</p>"
    )
    assert (
        paragraphs[2] == '<p><del class="gi-del">在建项目有序推进。全市在建重点项目245个，完成投资301.5亿元。</del></p>'
    )
    assert paragraphs[3] == "<p>要素保障持续加强。协调解决项目用地、用能、融资等问题41个。</p>"
    assert paragraphs[4] == '<p><ins class="gi-ins">下一步，将对进度滞后的19个项目逐一督办。</ins></p>'


def test_stats_count_highlighted_characters():
    deleted = (
        len("发展改革委牵头推进的") + len("386.2") + len("在建项目有序推进。全市在建重点项目245个，完成投资301.5亿元。")
    )
    inserted = len("401.5") + len("下一步，将对进度滞后的19个项目逐一督办。")
    assert diff_stats(WRITER, EDITOR) == {"inserted": inserted, "deleted": deleted}


def test_rewritten_phrase_is_one_change_not_character_confetti():
    html = diff_html("全市完成固定资产投资120亿元，同比增长8%。", "全市累计完成投资135.6亿元，同比增长12.4%。")
    assert html == (
        '<p>全市<ins class="gi-ins">累计</ins>完成<del class="gi-del">固定资产</del>投资'
        '<del class="gi-del">120</del><ins class="gi-ins">135.6</ins>亿元，同比增长'
        '<del class="gi-del">8%</del><ins class="gi-ins">12.4%</ins>。</p>'
    )
    html = diff_html("项目建设的进度明显加快", "项目审批的时限大幅压缩")
    assert html.count("<del") == 1 and html.count("<ins") == 1  # the shared "的" is folded into the change


def test_everything_is_escaped():
    html = diff_html(
        '昆明市重点项目<script>alert("x")</script>进展顺利，完成投资386.2亿元。',
        "昆明市重点项目<b>进展</b>顺利 & 完成投资386.2亿元。",
    )
    assert set(re.findall(r"</?([a-z]+)", html)) == {"p", "del", "ins"}  # no tag from the text survives
    assert "&lt;" in html and "&amp;" in html and "&quot;x&quot;" in html
    assert conditional_escape(html) == html  # marked safe: a template renders it as is
    deleted = diff_html('<script>alert("x")</script>', "")
    assert deleted == '<p><del class="gi-del">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</del></p>'


def test_empty_sides():
    assert diff_html("", "") == ""
    assert diff_html("", "新增一段。") == '<p><ins class="gi-ins">新增一段。</ins></p>'
    assert diff_html("删去一段。", "") == '<p><del class="gi-del">删去一段。</del></p>'
    assert diff_stats("", "新增一段。") == {"inserted": 5, "deleted": 0}
