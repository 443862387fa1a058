"""Writing checks (写作提示) shown to the writer before submitting and to the editor.

The practice guide asks for items that are titled and consistent, written in the third
person (摆正位置), straight to the point (开门见山) and concise. These checks point at
departures from that; they are hints, not rules, because a good editor may have reasons.
The one exception is state-secret material (涉密): it must never enter the system, so
its hint has level "block" and the form refuses the item.

Everything here is plain string work: no database, no Django models, so it can run on
every keystroke-triggered preview and in tests without setup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "DEFAULT_CONFIG",
    "FORMS",
    "SECRET_MARKERS",
    "CheckConfig",
    "Hint",
    "find_secret_markers",
    "run_checks",
    "text_length",
]

INFO = "info"
WARNING = "warning"
BLOCK = "block"

# Item forms (体裁): 信息 (full item), 简讯 (brief), 摘编 (excerpt / digest).
FORMS = ("full", "brief", "excerpt")

SECRET_REFUSAL = "涉密信息严禁通过本系统报送，请通过机要渠道报送。"


@dataclass(frozen=True)
class Hint:
    """One finding about the text, ready to show beside the field it concerns.

    `level` is "info" (a suggestion), "warning" (the guide's rule is broken) or "block"
    (submission must be refused: only used for 涉密). `excerpt` is the offending words,
    so the page can highlight them.
    """

    code: str
    level: str
    message: str
    field: str
    excerpt: str = ""


@dataclass(frozen=True)
class CheckConfig:
    """Thresholds and word lists; an office may tune them, so nothing is hard-coded below.

    `preamble_starts` entries are prefixes of the body's first clause ("根据" matches
    "根据市委…部署，"); an entry with "…" is a prefix…suffix frame on that clause
    ("在…下" matches "在市委、市政府的坚强领导下，").
    """

    first_person_words: tuple[str, ...] = (
        "我们",
        "我局",
        "我市",
        "我县",
        "我区",
        "我省",
        "我委",
        "我办",
        "我厅",
        "我单位",
        "我部门",
        "我街道",
        "我镇",
        "我乡",
    )
    title_max: int = 30
    # "近期""近年来""今年以来" are deliberately absent: they are time adverbials that
    # usually lead straight into a fact, not a preamble.
    preamble_starts: tuple[str, ...] = ("根据", "按照", "遵照", "依据", "依照", "为了", "为", "在…下", "随着")
    preamble_max: int = 40
    # The set phrases of an official preamble (套话): flagged at the start of the body
    # whatever their length, and named in the hint. "…" stands for any words in between.
    common_preambles: tuple[str, ...] = ("根据…", "按照…", "结合…实际", "经…研究", "现将…如下")
    full_min: int = 400
    full_max: int = 1500
    brief_max: int = 300
    excerpt_max: int = 600


DEFAULT_CONFIG = CheckConfig()


# --------------------------------------------------------------------------- secrets

_LEVEL = "(?:绝密|机密|秘密)"
_STAR = "[★☆*]"

# Regular expressions (not plain words) for classification *markings*. They are matched
# against each line after NFKC normalisation (full-width ：（）＊ become ASCII) with all
# whitespace removed, so "机密 ★ 1年" and "密级：机密" are caught however they were typed.
#
# Why markings and not topic words: the check blocks submission with no override, so a
# false hit stops legitimate work. Ordinary items talk *about* secrecy all the time —
# a 保密局 item on "涉密人员培训", "《保守国家秘密法》宣传月", "国家秘密分为绝密、机密、
# 秘密三级", an IT item on "数据机密性", a business item on "保护企业商业机密", a museum
# item on a "绝密档案" exhibition — none of which is secret material. So bare 涉密 / 国家
# 秘密 / 机密 / 绝密 are NOT markers. What is caught:
#   1. the GB/T 9704 marking: level + ★ (+ term), e.g. "机密★1年", "秘密★", or "★机密";
#   2. a labelled level: "密级：机密", "密级为秘密";
#   3. a bracketed level: "【绝密】", "(机密)", "〔秘密〕";
#   4. a level standing alone on its own line (a stamped marking copied from the head
#      of a document): "机密", "绝密级";
#   5. the text declaring itself secret: "此件涉密", "本信息属于国家秘密", "本文件属机密".
#      A negation ("本信息不涉及国家秘密") breaks the pattern on purpose.
# Material pasted without its marking cannot be recognised by text at all; the
# confidentiality field (with its explicit 涉密 choice) covers that.
SECRET_MARKERS: tuple[str, ...] = (
    rf"{_LEVEL}{_STAR}(?:\d+(?:年|个月|月|天|日)|长期)?",
    rf"{_STAR}{_LEVEL}",
    rf"密级[:]?(?:为|是)?{_LEVEL}",
    rf"[【\[(〔]{_LEVEL}级?[】\])〕]",
    rf"^{_LEVEL}级?$",
    rf"(?:此|本)(?:件|文|文件|信息|材料|稿件|稿|报告)(?:属于|属|为|系|涉及|涉|含有|含)?(?:涉密|国家秘密|{_LEVEL}级?)",
)

_SECRET_RE = re.compile("|".join(f"(?:{p})" for p in SECRET_MARKERS), re.MULTILINE)
_WS_RE = re.compile(r"[^\S\n]+|\u200b|\ufeff")

# 6. A level at the very start of a title or of a text's first line, set off by a colon,
#    a star or a space: "机密：关于…", "绝密 关于…", "秘密★…". This is how people mark a
#    text when they type the marking themselves. It is matched on the raw line (after
#    NFKC), because the space that sets the level off is exactly what _secret_view drops;
#    and only on the first line, since "秘密：" deeper in a text is rarely a marking.
_LEADING_MARK_RE = re.compile(rf"^[\s\u200b\ufeff]*({_LEVEL}级?)\s*([:{_STAR[1:-1]}]?)(?<=[:{_STAR[1:-1]}\s])")


def _secret_view(text: str) -> str:
    """The text as the secret patterns see it: NFKC, lines kept, other whitespace gone."""
    text = unicodedata.normalize("NFKC", text or "")
    return "\n".join(_WS_RE.sub("", line) for line in text.splitlines())


def find_secret_markers(*texts: str) -> list[str]:
    """Classification markings found in any of `texts`, as they read after normalisation,
    distinct and in order of appearance (e.g. ["机密★1年"]). Empty list: none found.

    Callers refuse the item when the list is not empty; the words are shown to the
    writer so they can see what triggered the refusal.
    """
    found: list[str] = []
    for text in texts:
        in_text = [match.group(0) for match in _SECRET_RE.finditer(_secret_view(text))]
        first_line = next((line for line in unicodedata.normalize("NFKC", text or "").splitlines() if line.strip()), "")
        lead = _LEADING_MARK_RE.match(first_line)
        if lead and not any(marker.startswith(lead.group(1)) for marker in in_text):
            in_text.insert(0, lead.group(1) + lead.group(2))
        for marker in in_text:
            if marker not in found:
                found.append(marker)
    return found


# --------------------------------------------------------------------------- helpers


def text_length(text: str) -> int:
    """Characters excluding whitespace (incl. the full-width space used to indent
    paragraphs): the way Chinese offices count 字数, punctuation included."""
    return sum(1 for ch in text or "" if not ch.isspace())


def _paragraphs(text: str) -> list[str]:
    """Non-blank paragraphs, stripped; their 1-based position is what users see as 第N段."""
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


_QUOTED_RE = re.compile(r"“[^“”]*”|「[^「」]*」")


def _unquoted(text: str) -> str:
    """`text` with quoted passages blanked out (same length, so positions stay valid):
    first person inside a quotation (群众说：“我们村…”) is the speaker's, not the writer's."""
    return _QUOTED_RE.sub(lambda m: " " * len(m.group(0)), text)


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------- title/body consistency

# Function characters that carry no topic; title bigrams are formed inside the runs of
# characters between them, so "项目建设的进展" yields 项目/目建/建设 and 进展, never 设的.
_STOP_CHARS = frozenset("的了和与及并在对等是为把被将从向以于之其也又就都而或个着中有")
_CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")

# Conservative on purpose: a title that rephrases the body ("跑出加速度") still shares
# most of its nouns with it. Only a title whose content barely appears — typically a
# title left over from another item — is flagged.
_MISMATCH_MIN_BIGRAMS = 4
_MISMATCH_MIN_BODY = 50
_MISMATCH_MAX_COVERAGE = 0.25


def _title_bigrams(title: str) -> set[str]:
    bigrams: set[str] = set()
    for run in _CJK_RUN_RE.findall(title):
        chunk = ""
        for ch in run + "的":  # sentinel stop character flushes the last chunk
            if ch in _STOP_CHARS:
                bigrams.update(chunk[i : i + 2] for i in range(len(chunk) - 1))
                chunk = ""
            else:
                chunk += ch
    return bigrams


def _title_coverage(title: str, body: str) -> float | None:
    """Share of the title's content bigrams that occur in the body; None when there is
    too little text on either side for the measure to mean anything."""
    bigrams = _title_bigrams(title)
    if len(bigrams) < _MISMATCH_MIN_BIGRAMS or text_length(body) < _MISMATCH_MIN_BODY:
        return None
    flat = re.sub(r"\s+", "", body)
    return sum(1 for bg in bigrams if bg in flat) / len(bigrams)


# --------------------------------------------------------------------------- preamble

_CLAUSE_SEP_RE = re.compile(r"[，。；！？：]|[,;!?:](?!\d)")
# Clauses that carry a preamble on ("为加快项目建设，进一步扩大有效投资，…"); a clause
# that is itself a preamble ("…领导下，在各部门的大力支持下，") carries it on too.
_CONTINUATIONS = ("进一步", "切实", "更好", "全面", "深入", "扎实", "着力", "持续", "不断", "有效", "努力", "确保")
# Starts that look like a preamble word but are not ("为期三天的…于5月10日开幕").
_NOT_PREAMBLE = ("为期",)


def _clauses(paragraph: str) -> list[str]:
    """Clauses with their trailing separator kept, so joining them gives the text back."""
    out, start = [], 0
    for m in _CLAUSE_SEP_RE.finditer(paragraph):
        out.append(paragraph[start : m.end()])
        start = m.end()
    if start < len(paragraph):
        out.append(paragraph[start:])
    return out


def _starts_preamble(clause: str, starts: tuple[str, ...]) -> bool:
    if clause.startswith(_NOT_PREAMBLE):
        return False
    core = _CLAUSE_SEP_RE.sub("", clause)
    for entry in starts:
        if "…" in entry:
            prefix, suffix = entry.split("…", 1)
            if core.startswith(prefix) and core.endswith(suffix) and len(core) > len(prefix) + len(suffix):
                return True
        elif entry and core.startswith(entry):
            return True
    return False


# "根据市统计局数据，1—5月…" names a source and goes straight to the figures: not 套话.
_DATA_SOURCE_RE = re.compile(r"^根据.*(?:数据|统计|监测|调查|测算|显示)$")


def _frame_re(frame: str) -> re.Pattern[str]:
    prefix, _, suffix = frame.partition("…")
    return re.compile(f"^{re.escape(prefix)}.*{re.escape(suffix)}$" if suffix else f"^{re.escape(prefix)}")


def _set_phrases(clause: str, frames: tuple[str, ...]) -> list[str]:
    """The set preamble phrases (config.common_preambles) this clause is built on."""
    core = _CLAUSE_SEP_RE.sub("", clause).strip()
    if _DATA_SOURCE_RE.match(core):
        return []
    return [frame for frame in frames if frame and _frame_re(frame).match(core)]


def _preamble(body: str, config: CheckConfig) -> str:
    """The preamble in front of the first fact, or "" when the body opens with a fact."""
    paragraphs = _paragraphs(body)
    if not paragraphs:
        return ""
    clauses = _clauses(paragraphs[0])

    def starts(clause: str) -> bool:
        return _starts_preamble(clause, config.preamble_starts) or bool(_set_phrases(clause, config.common_preambles))

    if not clauses or not starts(clauses[0]):
        return ""
    taken = [clauses[0]]
    for clause in clauses[1:]:
        carries_on = clause.startswith(_CONTINUATIONS) or starts(clause)
        if carries_on and not taken[-1].endswith(("。", "；", "！", "？")):
            taken.append(clause)
        else:
            break
    return "".join(taken)


# --------------------------------------------------------------------------- the checks


def _check_secret(title: str, body: str) -> list[Hint]:
    in_title = find_secret_markers(title)
    markers = find_secret_markers(title, body)
    if not markers:
        return []
    return [Hint("secret", BLOCK, SECRET_REFUSAL, "title" if in_title else "body", "、".join(markers))]


def _check_title(title: str, body: str, config: CheckConfig) -> list[Hint]:
    if not title.strip():
        return [Hint("title_missing", WARNING, "标题不能为空，请用一句话概括正文的主要事实。", "title")]
    hints = []
    n = text_length(title)
    if n > config.title_max:
        hints.append(
            Hint(
                "title_long",
                INFO,
                f"标题共{n}字，超过{config.title_max}字，建议精简，突出最主要的事实。",
                "title",
                title.strip(),
            )
        )
    coverage = _title_coverage(title, body)
    if coverage is not None and coverage < _MISMATCH_MAX_COVERAGE:
        hints.append(
            Hint(
                "title_body_mismatch",
                WARNING,
                "标题中的关键词在正文中几乎没有出现，请核对标题是否与正文内容一致。",
                "title",
                title.strip(),
            )
        )
    return hints


def _first_person_re(words: tuple[str, ...]) -> re.Pattern[str] | None:
    words = tuple(w for w in words if w)
    if not words:
        return None
    # Longest first so "我单位" wins over a shorter word sharing its start; "自我局限"
    # and "自我省察" are the reflexive 自我, not a unit.
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<!自)(?:{alternatives})")


def _suggestion(word: str) -> str:
    tail = word[1:]
    if word == "我们" or tail in ("单位", "部门"):
        return "单位全称或规范简称"
    return f"“××{tail}”（写明具体名称）"


def _check_first_person(title: str, body: str, config: CheckConfig) -> list[Hint]:
    pattern = _first_person_re(config.first_person_words)
    if pattern is None:
        return []
    places: dict[str, list[str]] = {}  # word -> ["标题", "2", "5"] in order of first use
    for m in pattern.finditer(_unquoted(title)):
        places.setdefault(m.group(0), ["标题"])
    for number, paragraph in enumerate(_paragraphs(body), start=1):
        for m in pattern.finditer(_unquoted(paragraph)):
            spots = places.setdefault(m.group(0), [])
            if str(number) not in spots:
                spots.append(str(number))
    hints = []
    for word, spots in places.items():
        in_title = spots[0] == "标题"
        numbers = spots[1:] if in_title else spots
        where = []
        if in_title:
            where.append("标题")
        if numbers:
            where.append(f"正文第{'、'.join(numbers)}段")
        hints.append(
            Hint(
                "first_person",
                WARNING,
                f"{'和'.join(where)}使用了第一人称单位称谓“{word}”，"
                f"请改为{_suggestion(word)}等第三人称表述（摆正位置）。",
                "title" if in_title else "body",
                word,
            )
        )
    return hints


def _check_preamble(body: str, config: CheckConfig) -> list[Hint]:
    preamble = _preamble(body, config)
    n = text_length(preamble)
    phrases: list[str] = []
    for clause in _clauses(preamble):
        phrases += [p for p in _set_phrases(clause, config.common_preambles) if p not in phrases]
    if n <= config.preamble_max and not phrases:
        return []
    level = WARNING if n > 2 * config.preamble_max else INFO
    words = _shorten(preamble.rstrip("，,：:；;"))
    if phrases:
        named = "".join(f"“{p.replace('…', '……')}”" for p in phrases)
        message = (
            f"正文开头“{words}”是{named}式的铺垫（{n}字），建议开门见山，先写时间、事实和数据，依据和背景可压缩或后置。"
        )
    else:
        message = f"正文开头用了{n}字的铺垫才进入正题，建议开门见山，先写时间、事实和数据，背景和依据可压缩或后置。"
    return [Hint("preamble", level, message, "body", words)]


def _check_length(body: str, form: str, config: CheckConfig) -> list[Hint]:
    n = text_length(body)
    if n == 0:
        return [Hint("too_short", WARNING, "正文为空，请填写正文。", "body")]
    if form == "full":
        if n < config.full_min:
            return [
                Hint(
                    "too_short",
                    INFO,
                    f"正文共{n}字，信息一般为{config.full_min}—{config.full_max}字，"
                    "内容可能不够完整，可补充数据、做法或成效；内容简短的可改报简讯。",
                    "body",
                )
            ]
        if n > config.full_max:
            return [
                Hint(
                    "too_long",
                    WARNING,
                    f"正文共{n}字，超过信息一般篇幅（{config.full_min}—{config.full_max}字），请精简。",
                    "body",
                )
            ]
        return []
    limit, name = (config.brief_max, "简讯") if form == "brief" else (config.excerpt_max, "摘编")
    if n > limit:
        return [Hint("too_long", WARNING, f"正文共{n}字，{name}一般不超过{limit}字，请精简。", "body")]
    return []


def run_checks(title: str, body: str, *, form: str = "full", config: CheckConfig = DEFAULT_CONFIG) -> list[Hint]:
    """All writing hints for one item, the blocking 涉密 hint (if any) first, then title
    hints, then body hints. Submission must stop only if some hint has level "block".

    `form` is "full" (信息), "brief" (简讯) or "excerpt" (摘编); anything else is a
    programming error and raises ValueError rather than silently skipping length checks.
    """
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {FORMS}")
    title = title or ""
    body = body or ""
    return [
        *_check_secret(title, body),
        *_check_title(title, body, config),
        *_check_first_person(title, body, config),
        *_check_preamble(body, config),
        *_check_length(body, form, config),
    ]
