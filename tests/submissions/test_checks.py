import dataclasses

import pytest

from submissions.checks import DEFAULT_CONFIG, CheckConfig, Hint, find_secret_markers, run_checks, text_length

# A well-written 工作进展 item (about 480 characters): third person, opens with the
# facts, title drawn from the body. It must produce no hint at all.
TITLE = "昆明市重点项目建设提速 1—5月完成投资386.2亿元"
BODY = """\
\u3000\u3000今年1—5月，昆明市发展改革委牵头推进的312个市级重点项目累计完成投资386.2亿元，占年度计划的46.8%，同比增长12.4%，项目建设总体进度快于时序进度。
\u3000\u3000新开工项目加快落地。1—5月全市新开工重点项目57个，总投资412亿元，其中昆明长水国际机场改扩建配套工程、滇池流域水环境综合治理二期等23个项目提前一个月开工。市发展改革委会同自然资源、生态环境等部门实行用地、环评“并联审批”，项目审批平均用时由45个工作日压缩至28个工作日。
\u3000\u3000在建项目有序推进。全市在建重点项目245个，完成投资301.5亿元。轨道交通5号线完成主体工程的72%，呈贡信息产业园二期厂房全面封顶，安宁石化下游产业园3个项目进入设备安装阶段。
\u3000\u3000要素保障持续加强。1—5月争取中央预算内投资和地方政府专项债券资金共计68.3亿元，同比增加9.7亿元；协调解决项目用地、用能、融资等问题41个。下一步，市发展改革委将紧盯全年完成投资820亿元的目标，实行“一月一调度、一季一观摩”，对进度滞后的19个项目逐一分析原因、明确责任人和完成时限，确保上半年完成投资占年度计划的50%以上。"""

PARAGRAPHS = BODY.split("\n")


def codes(hints: list[Hint]) -> list[str]:
    return [h.code for h in hints]


def only(hints: list[Hint], code: str) -> Hint:
    found = [h for h in hints if h.code == code]
    assert len(found) == 1, hints
    return found[0]


# ---------------------------------------------------------------- the clean item


def test_clean_item_gets_no_hint():
    assert 400 <= text_length(BODY) <= 1500
    assert run_checks(TITLE, BODY) == []


def test_rephrased_title_is_not_taken_for_a_mismatch():
    for title in ("昆明跑出项目建设加速度", "昆明市多措并举推动重点项目建设", "市发展改革委“并联审批”为项目落地提速"):
        assert run_checks(title, BODY) == [], title


def test_text_length_ignores_whitespace_and_indentation():
    assert text_length("昆明市 发展改革委\n\u3000\u3000完成投资386.2亿元。") == 20  # digits and punctuation count
    assert text_length("") == 0


# ---------------------------------------------------------------- title


def test_missing_title_warns():
    hint = only(run_checks("  ", BODY), "title_missing")
    assert (hint.level, hint.field) == ("warning", "title")
    assert "标题" in hint.message


def test_long_title_is_an_info_hint_with_the_count():
    title = "昆明市发展改革委坚持项目为王多措并举全力推动全市重点项目建设提速增效取得阶段性成效"
    assert text_length(title) > 30
    hint = only(run_checks(title, BODY), "title_long")
    assert (hint.level, hint.field, hint.excerpt) == ("info", "title", title)
    assert f"{text_length(title)}字" in hint.message


def test_title_of_exactly_the_limit_is_fine_and_limit_is_configurable():
    title = "昆明市重点项目1—5月完成投资386.2亿元同比增长12.4%"
    n = text_length(title)
    assert "title_long" not in codes(run_checks(title, BODY, config=CheckConfig(title_max=n)))
    assert "title_long" in codes(run_checks(title, BODY, config=CheckConfig(title_max=n - 1)))


def test_title_about_something_else_warns():
    hint = only(run_checks("曲靖市召开森林防火工作会议", BODY), "title_body_mismatch")
    assert (hint.level, hint.field) == ("warning", "title")


def test_mismatch_check_stays_quiet_when_there_is_too_little_text():
    assert "title_body_mismatch" not in codes(run_checks("森林防火", BODY))
    assert "title_body_mismatch" not in codes(run_checks("曲靖市召开森林防火工作会议", "全市重点项目进展顺利。"))


# ---------------------------------------------------------------- 摆正位置


def test_first_person_word_in_body_names_the_paragraphs():
    body = "\n".join(
        [
            PARAGRAPHS[0],
            PARAGRAPHS[1].replace("市发展改革委", "我委"),
            PARAGRAPHS[2],
            PARAGRAPHS[3].replace("全年", "我市全年"),
        ]
    )
    body = body.replace("昆明市发展改革委", "我市发展改革委")
    hints = [h for h in run_checks(TITLE, body) if h.code == "first_person"]
    assert [h.excerpt for h in hints] == ["我市", "我委"]  # one hint per distinct word, in order
    wo_shi, wo_wei = hints
    assert (wo_shi.level, wo_shi.field) == ("warning", "body")
    assert "正文第1、4段" in wo_shi.message and "“我市”" in wo_shi.message and "摆正位置" in wo_shi.message
    assert "正文第2段" in wo_wei.message


def test_first_person_word_repeated_in_a_paragraph_is_reported_once():
    body = BODY.replace("市发展改革委会同", "我局会同").replace("市发展改革委将", "我局将")
    hints = [h for h in run_checks(TITLE, body) if h.code == "first_person"]
    assert len(hints) == 1
    assert "正文第2、4段" in hints[0].message


def test_first_person_word_in_title_points_at_the_title():
    hint = only(run_checks("我市重点项目建设提速", BODY.replace("全市新开工", "我市新开工")), "first_person")
    assert hint.field == "title"
    assert "标题和正文第2段" in hint.message


def test_reflexive_and_quoted_first_person_is_not_flagged():
    body = BODY.replace(
        "确保上半年",
        "市发展改革委以自我革命精神突破自我局限。一位项目负责人说：“我们的审批时间省了一半。”确保上半年",
    )
    assert "first_person" not in codes(run_checks(TITLE, body))


def test_first_person_words_are_configurable():
    body = BODY.replace("市发展改革委会同", "我院会同")
    assert "first_person" not in codes(run_checks(TITLE, body))
    config = dataclasses.replace(DEFAULT_CONFIG, first_person_words=(*DEFAULT_CONFIG.first_person_words, "我院"))
    assert only(run_checks(TITLE, body, config=config), "first_person").excerpt == "我院"


# ---------------------------------------------------------------- 开门见山


def test_long_purpose_preamble_is_flagged_with_its_words():
    preamble = (
        "为深入贯彻落实省委、省政府关于扩大有效投资的决策部署，"
        "进一步加快全市重点项目建设，切实发挥投资对经济增长的关键作用，"
    )
    hint = only(run_checks(TITLE, preamble + BODY.lstrip()), "preamble")
    assert hint.field == "body"
    assert hint.level == "info"  # 58 characters: above 40, not above 80
    assert "58字" in hint.message and "开门见山" in hint.message
    assert hint.excerpt.startswith("为深入贯彻落实省委")


def test_very_long_preamble_is_a_warning():
    preamble = (
        "根据《昆明市2024年重点项目投资计划》《关于开展“项目建设攻坚年”行动的实施方案》"
        "和市委、市政府主要领导在全市项目建设推进会上的讲话精神以及省发展改革委有关工作要求，"
    )
    hint = only(run_checks(TITLE, preamble + BODY.lstrip()), "preamble")
    assert hint.level == "warning"


def test_leadership_frames_count_together():
    preamble = "在市委、市政府的坚强领导下，在各县（市）区和市级各部门、各项目业主单位的大力支持和共同努力下，"
    assert "preamble" in codes(run_checks(TITLE, preamble + BODY.lstrip()))


def test_short_lead_in_and_lookalike_starts_are_fine():
    assert "preamble" not in codes(run_checks(TITLE, "根据市统计局数据，" + BODY.lstrip()))
    body = (
        "为期3天的2024年昆明市重点项目集中观摩活动于5月10日至12日在呈贡、安宁等地举行，全市180余名代表参加。\n" + BODY
    )
    assert "preamble" not in codes(run_checks(TITLE, body))


def test_preamble_threshold_and_words_are_configurable():
    # "为…" is not one of the set phrases (common_preambles): only its length counts.
    body = "为做好全市重点项目建设工作，" + BODY.lstrip()
    assert "preamble" not in codes(run_checks(TITLE, body))
    assert "preamble" in codes(run_checks(TITLE, body, config=CheckConfig(preamble_max=10)))
    assert "preamble" not in codes(
        run_checks(TITLE, body, config=CheckConfig(preamble_max=10, preamble_starts=("根据",)))
    )


# ---------------------------------------------------------------- length by form


def test_short_full_item_is_an_info_hint_suggesting_a_brief():
    body = PARAGRAPHS[0]
    hint = only(run_checks(TITLE, body), "too_short")
    assert (hint.level, hint.field) == ("info", "body")
    assert f"{text_length(body)}字" in hint.message and "简讯" in hint.message
    assert run_checks(TITLE, body, form="brief") == []  # the same text is a good 简讯


def test_overlong_full_item_warns():
    body = "\n".join([BODY] * 4)
    assert text_length(body) > 1500
    hint = only(run_checks(TITLE, body), "too_long")
    assert hint.level == "warning"
    assert "1500" in hint.message


def test_brief_over_its_limit_warns():
    hint = only(run_checks(TITLE, BODY, form="brief"), "too_long")
    assert "简讯" in hint.message and "300" in hint.message
    assert "too_long" not in codes(run_checks(TITLE, BODY, form="brief", config=CheckConfig(brief_max=500)))


def test_excerpt_limit():
    assert "too_long" not in codes(run_checks(TITLE, BODY, form="excerpt"))
    assert "too_long" in codes(run_checks(TITLE, BODY + BODY, form="excerpt"))


def test_empty_body_warns_in_every_form():
    for form in ("full", "brief", "excerpt"):
        hint = only(run_checks(TITLE, " \n\u3000", form=form), "too_short")
        assert hint.level == "warning"


def test_unknown_form_is_a_programming_error():
    with pytest.raises(ValueError):
        run_checks(TITLE, BODY, form="report")


# ---------------------------------------------------------------- 涉密


@pytest.mark.parametrize(
    "marking",
    [
        "机密★1年",
        "秘密★",
        "★绝密",
        "机 密 ★ 长期",
        "密级：机密",
        "【绝密】",
        "（秘密）",
        "此件涉密",
        "本信息属于国家秘密",
    ],
)
def test_secret_markings_block_submission(marking):
    hints = run_checks(TITLE, BODY.replace("在建项目有序推进。", marking + "在建项目有序推进。"))
    assert hints[0] == Hint(
        "secret", "block", "涉密信息严禁通过本系统报送，请通过机要渠道报送。", "body", hints[0].excerpt
    )
    assert hints[0].excerpt
    assert [h for h in hints if h.level == "block"] == hints[:1]


def test_marking_on_its_own_line_at_the_head_blocks():
    assert find_secret_markers(TITLE, "机密\n" + BODY) == ["机密"]
    hint = run_checks("绝密★" + TITLE, BODY)[0]
    assert (hint.code, hint.field) == ("secret", "title")


@pytest.mark.parametrize(
    "text",
    [
        "市保密局开展涉密人员保密教育培训，全市126名涉密人员参加。",
        "各单位学习贯彻新修订的《中华人民共和国保守国家秘密法》。",
        "国家秘密的密级分为绝密、机密、秘密三级。",
        "政务云平台加强数据机密性、完整性保护。",
        "依法保护企业商业机密和知识产权。",
        "市博物馆推出“绝密档案”红色主题展。",
        "本信息不涉及国家秘密，可以公开。",
    ],
)
def test_talking_about_secrecy_is_not_a_marking(text):
    assert find_secret_markers(TITLE, text) == []
    assert "secret" not in codes(run_checks(TITLE, BODY + "\n" + text))


def test_find_secret_markers_lists_each_marking_once_in_order():
    assert find_secret_markers("秘密★6个月", "密级：机密\n秘密★6个月") == ["秘密★6个月", "密级:机密"]
    assert find_secret_markers() == []


def test_hints_are_immutable():
    hint = Hint("title_long", "info", "标题过长", "title")
    with pytest.raises(dataclasses.FrozenInstanceError):
        hint.level = "block"  # type: ignore[misc]
