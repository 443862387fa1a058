import json
import os
import random
import subprocess
import sys
from pathlib import Path

from submissions.fingerprint import MIN_CHARS, band_keys, normalize, shingles, similarity

ROOT = Path(__file__).resolve().parents[2]

ITEM = """昆明市重点项目建设提速 1—5月完成投资386.2亿元
\u3000\u3000今年1—5月，昆明市发展改革委牵头推进的312个市级重点项目累计完成投资386.2亿元，占年度计划的46.8%，同比增长12.4%，项目建设总体进度快于时序进度。
\u3000\u3000新开工项目加快落地。1—5月全市新开工重点项目57个，总投资412亿元，其中昆明长水国际机场改扩建配套工程、滇池流域水环境综合治理二期等23个项目提前一个月开工。市发展改革委会同自然资源、生态环境等部门实行用地、环评“并联审批”，项目审批平均用时由45个工作日压缩至28个工作日。
\u3000\u3000要素保障持续加强。1—5月争取中央预算内投资和地方政府专项债券资金共计68.3亿元，同比增加9.7亿元；协调解决项目用地、用能、融资等问题41个。"""

# The same report forwarded by a county: retitled, reworded here and there, a sentence cut.
EDITED = (
    ITEM.replace("昆明市重点项目建设提速", "全市重点项目建设加快推进")
    .replace("牵头推进的", "统筹推进的")
    .replace("项目建设总体进度快于时序进度。", "")
    .replace("提前一个月开工", "提前开工")
    .replace("\u3000\u3000", "")
)

UNRELATED = """曲靖市全力做好森林草原防灭火工作
\u3000\u3000入春以来，曲靖市气温偏高、降水偏少，森林草原火险等级持续偏高。市应急管理局会同市林草局组建专业扑火队伍42支、半专业队伍316支，共4800余人，在重点林区设置检查站165个，实行24小时值守。
\u3000\u3000截至4月底，全市共排查整治火灾隐患1270处，开展防火宣传进村入户2.3万次，未发生重大森林火灾。"""


def test_normalize_drops_whitespace_and_punctuation_and_unifies_width():
    assert normalize("１—５月，投资 12.5 亿元。\n\u3000“并联审批”") == "15月投资125亿元并联审批"
    assert normalize("GDP增长5.2%") == "gdp增长52"
    assert normalize("") == ""


def test_shingles_are_character_trigrams_of_the_normalised_text():
    assert shingles("项目建设，提速") == {"项目建", "目建设", "建设提", "设提速"}
    assert shingles("项目", n=3) == {"项目"}
    assert shingles(" 。") == set()


def test_similarity_of_copies_edits_and_unrelated_texts():
    assert similarity(ITEM, ITEM) == 1.0
    assert similarity(ITEM, ITEM.replace("\u3000", "").replace("，", ",")) == 1.0  # layout is not content
    assert 0.75 < similarity(ITEM, EDITED) < 1.0
    assert similarity(ITEM, UNRELATED) < 0.05
    assert similarity(ITEM, EDITED) == similarity(EDITED, ITEM)


def test_similarity_of_empty_text_is_zero():
    assert similarity("", "") == 0.0
    assert similarity(ITEM, "  ，。") == 0.0


def test_band_keys_shape():
    keys = band_keys(ITEM)
    assert len(keys) == 16 == len(set(keys))
    assert all(isinstance(k, int) and 0 <= k < 2**63 for k in keys)  # fits a bigint column
    assert len(band_keys(ITEM, bands=8, rows=5)) == 8


def test_short_or_empty_text_has_no_keys():
    assert band_keys("") == []
    assert band_keys("关于召开项目推进会的通知。") == []  # under MIN_CHARS
    assert band_keys("昆" * MIN_CHARS) != []


def test_lightly_edited_copy_shares_keys_and_unrelated_text_does_not():
    assert set(band_keys(ITEM)) & set(band_keys(EDITED))
    assert not set(band_keys(ITEM)) & set(band_keys(UNRELATED))
    assert band_keys(ITEM) == band_keys(ITEM.replace("\n", "").replace("。", "."))


def test_keys_of_different_band_settings_never_match():
    assert not set(band_keys(ITEM)) & set(band_keys(ITEM, bands=16, rows=3))


def _mutated(text: str, changes: int, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(changes):
        chars[rng.randrange(len(chars))] = chr(0x4E00 + rng.randrange(3000))
    return "".join(chars)


def test_candidate_rates_follow_similarity():
    # Seeded, so deterministic; the figures follow 1 - (1 - J**4)**16.
    rng = random.Random(2024)
    close = found = 0
    unrelated_hits = 0
    for _ in range(150):
        base = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(400))
        copy = _mutated(base, rng.randrange(5, 25), rng)
        if similarity(base, copy) >= 0.7:
            close += 1
            found += bool(set(band_keys(base)) & set(band_keys(copy)))
        other = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(400))
        unrelated_hits += bool(set(band_keys(base)) & set(band_keys(other)))
    assert close >= 100
    assert found / close >= 0.95
    assert unrelated_hits == 0


def test_band_keys_are_the_same_in_another_process():
    # Python's hash() is salted per process; a fresh interpreter with a different
    # PYTHONHASHSEED must still compute the same keys, or stored keys would be useless.
    code = (
        "import json, sys\n"
        "from submissions.fingerprint import band_keys\n"
        "print(json.dumps(band_keys(sys.stdin.read())))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], input=ITEM, capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    assert json.loads(out.stdout) == band_keys(ITEM)


def test_band_keys_of_a_long_text_of_distinct_trigrams():
    # The worst case for speed (every shingle distinct); bench/fingerprint.py measures its
    # time, a test only what it returns.
    rng = random.Random(1)
    text = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(1500))
    keys = band_keys(text)
    assert len(keys) == 16 == len(set(keys))
    assert keys == band_keys(text)
