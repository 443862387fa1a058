"""The writer's form (issue 14, "Writing an item"): 涉密 markings as people type them,
refused on the field that holds them; 开门见山 set phrases whatever their length; the
title's length limit refused in plain Chinese with the text kept."""

import pytest
from django.urls import reverse

from submissions import actions
from submissions.checks import find_secret_markers, run_checks
from submissions.models import Item

from .helpers import BODY, category

FACTS = "1—5月全市完成投资386.2亿元，同比增长12.4%，占年度计划的46.8%。"


def _post(client, **overrides):
    data = {
        "title": "昆明市重大项目建设提速增效",
        "body": BODY,
        "category": category().pk,
        "form": "full",
        "confidentiality": "internal",
    }
    data.update(overrides)
    return client.post(reverse("item_create"), data)


# ---------------------------------------------------------------- 涉密 markings


@pytest.mark.parametrize(
    "title",
    ["机密：关于某项目的情况", "绝密 关于某项目的情况", "秘密★关于某项目", "机密级：某项目", "【绝密】关于某项目"],
)
def test_marking_at_the_start_of_a_title_is_found(title):
    assert find_secret_markers(title)
    hint = run_checks(title, BODY)[0]
    assert (hint.code, hint.level, hint.field) == ("secret", "block", "title")


@pytest.mark.parametrize("first_line", ["机密：", "绝密 ", "秘密★", "　　机密：关于某项目建设情况的报告"])
def test_marking_at_the_start_of_the_first_line_is_found(first_line):
    hint = run_checks("昆明市重大项目建设提速增效", first_line + "\n" + BODY)[0]
    assert (hint.code, hint.field) == ("secret", "body")


@pytest.mark.parametrize(
    "text", ["机密性保护工作全面加强", "秘密通道改造完成", "绝密档案展开幕", "秘密", "机密性", "市场主体增长"]
)
def test_words_that_merely_start_with_a_level_are_not_markings(text):
    # "秘密" alone on its line stays a marking (rule 4): only the words running on are fine.
    expected = ["秘密"] if text == "秘密" else []
    assert find_secret_markers(text) == expected


def test_a_level_followed_by_a_colon_deep_in_the_body_is_not_taken_for_a_marking():
    assert find_secret_markers(BODY + "\n秘密：群众自发组织的“秘密花园”志愿活动。") == []


def test_marking_in_the_title_is_refused_on_the_title_field(client, writer):
    client.force_login(writer)
    response = _post(client, title="【绝密】关于某项目建设情况")
    form = response.context["form"]
    assert response.status_code == 200 and not Item.objects.exists()
    assert "机要渠道" in " ".join(form.errors["title"]) and "【绝密】" in " ".join(form.errors["title"])
    assert "body" not in form.errors
    assert 'value="【绝密】关于某项目建设情况"' in response.content.decode()  # what was typed stays


def test_marking_on_the_first_line_is_refused_on_the_body_field(client, writer):
    client.force_login(writer)
    response = _post(client, body="机密 关于某项目建设情况的报告\n" + BODY)
    form = response.context["form"]
    assert "机要渠道" in " ".join(form.errors["body"]) and "title" not in form.errors
    assert not Item.objects.exists()


def test_markings_in_both_fields_are_refused_on_both(client, writer):
    client.force_login(writer)
    response = _post(client, title="秘密★某项目", body="绝密：\n" + BODY)
    form = response.context["form"]
    assert "秘密★" in " ".join(form.errors["title"]) and "绝密" in " ".join(form.errors["body"])


def test_action_refuses_a_marked_title_for_callers_without_the_form(writer):
    data = actions.ItemData(title="机密：某项目情况", body=BODY, category=category())
    with pytest.raises(actions.ValidationError) as exc:
        actions.create_draft(author=writer, data=data)
    assert "标题中发现标识：机密" in exc.value.messages[0]
    assert not Item.objects.exists()


# ---------------------------------------------------------------- 开门见山


@pytest.mark.parametrize(
    ("opening", "phrase"),
    [
        ("根据省委部署，", "“根据……”"),
        ("按照要求，", "“按照……”"),
        ("结合本地实际，", "“结合……实际”"),
        ("经市政府常务会议研究，", "“经……研究”"),
        ("经研究，", "“经……研究”"),
        ("现将有关情况报告如下：", "“现将……如下”"),
    ],
)
def test_short_set_preambles_are_flagged_with_their_words(opening, phrase):
    hints = [h for h in run_checks("昆明市重点项目完成投资386.2亿元", opening + FACTS) if h.code == "preamble"]
    assert len(hints) == 1
    assert hints[0].excerpt == opening.rstrip("，：")
    assert phrase in hints[0].message and opening.rstrip("，：") in hints[0].message


def test_a_chain_of_set_phrases_is_named_together():
    opening = "根据省委、省政府工作部署，结合全市工作实际，现将1—5月重点项目建设情况报告如下："
    (hint,) = [h for h in run_checks("昆明市重点项目完成投资386.2亿元", opening + FACTS) if h.code == "preamble"]
    assert hint.excerpt.startswith("根据省委") and "“根据……”“结合……实际”“现将……如下”" in hint.message


@pytest.mark.parametrize(
    "opening", ["根据市统计局数据，", "经济运行稳中向好，", "结合部、安宁两地", "今年以来，", "按时序推进的项目"]
)
def test_openings_that_only_look_like_set_phrases_are_fine(opening):
    assert "preamble" not in [h.code for h in run_checks("昆明市重点项目完成投资386.2亿元", opening + FACTS)]


def test_preamble_hint_shows_on_the_form(client, writer):
    client.force_login(writer)
    response = client.post(reverse("item_check"), {"title": "昆明市重点项目投资", "body": "经研究，" + FACTS})
    page = response.content.decode()
    assert 'data-code="preamble"' in page and "“经……研究”" in page


# ---------------------------------------------------------------- the title's length


def test_title_over_the_hard_limit_is_refused_in_plain_chinese_keeping_the_text(client, writer):
    client.force_login(writer)
    title = "昆明市" + "重大项目建设提速增效" * 20  # 203 characters
    response = _post(client, title=title)
    page = response.content.decode()
    (error,) = response.context["form"].errors["title"]
    assert error.startswith("标题不能超过200字（现为203字）")
    assert "确保" not in page and f'value="{title}"' in page
    assert not Item.objects.exists()


def test_title_input_has_no_maxlength_that_would_cut_a_pasted_title(client, writer):
    client.force_login(writer)
    page = client.get(reverse("item_create")).content.decode()
    tag = page[page.index('id="id_title"') - 200 : page.index('id="id_title"') + 200]
    assert "maxlength" not in tag and 'data-max-length="200"' in tag and 'data-hint-length="30"' in tag


def test_outsider_cannot_open_the_form(client, editor):
    client.force_login(editor)
    assert client.get(reverse("item_create")).status_code == 403
    assert _post(client).status_code == 403
