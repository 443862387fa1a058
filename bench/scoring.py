"""Server time of the scoreboard and of a unit's ledger with 1,000,000 ledger entries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govinfo_bench_scoring .venv/bin/python bench/scoring.py

Seeds (once; later runs find the target count and skip) a province of ~2,000 units: the
province office, 16 city offices of 90-150 children each (counties, departments, other
units) and 63 provincial departments; five years (2022-2026) of schemes of the province
(assessing its 16 cities) and of every city (assessing its children), with quotas,
award tiers, penalty and publication rules; then 1,000,000 ledger entries appended in
date order with PostgreSQL COPY, as years of use leave them (mostly adoptions, some
instructions, higher adoptions, penalties, manual adjustments and reversals), with the
real rows behind them (Backing): an item and its adoption into the entry's publication
for every adoption entry, in signed, numbered issues of ~30; the adoption withdrawn for
every reversal; an instruction on an earlier adopted item of the unit for every
instruction entry. So the scoreboard's adoption, submission and instruction counts read
what years of use leave. --no-adoptions seeds the ledger alone (its `item`/`adoption`
NULL), as before issue 18. Ends with VACUUM ANALYZE (autovacuum does the same to an
insert-only table after a bulk load).

Then measures, through django.test.Client (full middleware, session, view, template;
DEBUG off), signed in as a leader of the province office and of the biggest city office:
the scoreboard of the 2026 scheme and the ledger page of the unit with the most entries,
plus the ledger page as the city's administrator (who also gets the unit's scoreboard
row, so the view computes the whole scoreboard) and `scoring.queries.scoreboard()` on
its own. Rounds of every page after warm-up rounds; query counts and SQL time from one
more request under CaptureQueriesContext; EXPLAIN (ANALYZE, BUFFERS) of the scoreboard's
slowest queries.

Then re-measures the scoreboards with the table's visibility map cleared: the worst case
of their index-only scan before autovacuum catches up with appended rows (see
stale_visibility()). When the scoreboard misses the target (or with --try-indexes
always), re-measures it with the candidate indexes (CANDIDATES) that the schema lacks,
created in the bench database only and dropped afterwards, then the unchanged schema
once more as a drift check on a shared machine. Results go to
bench/results/scoring-<date>.txt; see bench/SCORING.md.

Target (the issue): scoreboard under 100 ms median on PostgreSQL.
"""

import argparse
import csv
import datetime as dt
import io
import os
import platform
import random
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET_MS = 100.0
ENTRIES = 1_000_000
YEARS = range(2022, 2027)
SEED = 20261127
PASSWORD = "bench-scoring-2026"  # a throwaway login in a benchmark database

PROVINCE = ("云南省人民政府办公厅", "省政府办公厅")
CITIES = [
    "昆明市", "曲靖市", "玉溪市", "保山市", "昭通市", "丽江市", "普洱市", "临沧市",
    "楚雄州", "红河州", "文山州", "西双版纳州", "大理州", "德宏州", "怒江州", "迪庆州",
]  # fmt: skip
CITY_SIZES = [150 - round(i * 60 / 15) for i in range(16)]  # 150 … 90 children, 1,920 in all
CLASSES = [
    ("city", "州市"),
    ("county", "县（市、区）"),
    ("dept_a", "部门A类"),
    ("dept_b", "部门B类"),
    ("other", "其他单位"),
]
DEPARTMENTS = [
    "发展和改革委员会", "教育体育局", "科学技术局", "工业和信息化局", "民族宗教事务委员会", "公安局", "民政局",
    "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局",
    "水务局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
    "国有资产监督管理委员会", "市场监督管理局", "统计局", "医疗保障局", "林业和草原局", "乡村振兴局", "投资促进局",
    "能源局", "地方金融监督管理局", "政务服务管理局", "外事办公室", "信访局", "机关事务管理局", "人民防空办公室",
    "城市管理局", "体育局", "粮食和物资储备局", "气象局", "税务局", "供销合作社", "总工会", "共青团委员会",
    "妇女联合会", "科学技术协会", "残疾人联合会", "红十字会", "消防救援支队", "公共资源交易中心", "大数据中心",
    "住房公积金管理中心", "工商业联合会", "文学艺术界联合会", "归国华侨联合会", "档案馆", "地方志办公室",
    "融媒体中心", "口岸办公室", "移民管理局", "广播电视局", "新闻出版局", "边境管理支队",
]  # fmt: skip
OTHERS = [
    "高新技术产业开发区管理委员会", "经济技术开发区管理委员会", "综合保税区管理委员会", "职业技术学院",
    "广播电视台", "日报社", "城市建设投资集团", "交通投资集团", "文化旅游集团", "水务产业投资公司",
    "农业发展投资公司", "工业园区管理委员会",
]  # fmt: skip
SYLLABLES = "安宁富民宜良石林禄劝寻甸嵩明晋东川呈贡马龙陆师宗罗平会泽沾益华澄江通海峨山新元易门施腾冲昌永善绥盐津"
CITY_QUOTAS = {"county": 500, "dept_a": 450, "dept_b": 300, "other": 250}
PROVINCE_QUOTAS = {"city": 900}
TIERS = [("特等奖", 2), ("一等奖", 5), ("二等奖", 4), ("三等奖", 6)]
PENALTIES = [  # kind, points, vetoes award, share of penalty entries, display
    ("late", 1, False, 50, "迟报"),
    ("missed", 3, False, 25, "漏报"),
    ("commission", 1, False, 10, "约稿未报"),
    ("feedback", 2, False, 10, "批示未反馈"),
    ("false", 5, False, 4, "错报"),
    ("concealed", 10, True, 0.5, "瞒报"),
    ("emergency_late", 5, True, 0.5, "突发事件迟报"),
]
INSTRUCTIONS = {
    "province": [("省政府领导", 5), ("省政府办公厅", 3), ("国务院领导", 10)],
    "city": [("市政府领导", 5), ("省政府领导", 8)],
}
MANUAL_REASONS = ["补记漏计采用", "约稿完成加分", "重大信息首报", "数据更正", "信息质量较低", "按考核组意见调整"]
REVERSAL_REASONS = ["刊物撤稿", "重复计分", "误计来源单位", "信息不实"]
# source, share of entries
SOURCES = [("adoption", 0.84), ("instruction", 0.08), ("penalty", 0.04), ("higher", 0.015), ("manual", 0.015)]
REVERSAL_SHARE = 0.01
SOURCE_NAMES = [name for name, _ in SOURCES]
SOURCE_WEIGHTS = [share for _, share in SOURCES]
ENTRIES_PER_UNIT_YEAR = {"province": 150, "city": 100}  # mean, before the unit's activity factor
YEAR_GROWTH = {2022: 0.85, 2023: 0.92, 2024: 1.0, 2025: 1.05, 2026: 1.1}
# Seeded rows carry no chain value (""): COPY bypasses LedgerEntry.save, and the board reads
# never look at it; what the chain costs is measured in bench/audit_chain.py.
COPY_COLUMNS = (
    "id, scheme_id, unit_id, date, source, adoption_id, item_id, source_ref, rule, points, reason, "
    "reverses_id, created_by_id, created_at, chain"
)
COPY_CHUNK = 100_000
ADOPTIONS = True  # the rows behind the entries (items, adoptions, issues, instructions); --no-adoptions: none


# --- set-up -----------------------------------------------------------------------------


def shrink_for_smoke() -> None:
    """The same world at toy size: two cities of 12 children, two years, 3,000 entries."""
    global ENTRIES, YEARS, CITIES, CITY_SIZES
    ENTRIES, YEARS = 3_000, range(2025, 2027)
    CITIES, CITY_SIZES = CITIES[:2], [12, 12]


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govinfo.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def ensure_database(*, force: bool) -> None:
    """Refuse anything but a PostgreSQL bench database; create it when it is missing."""
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    if not force and ("postgresql" not in db["ENGINE"] or "bench" not in str(db["NAME"])):
        raise SystemExit(
            f"Refusing to seed {db['ENGINE']} {db['NAME']!r}: set DATABASE_URL to a PostgreSQL database whose name "
            "contains 'bench' (postgres://postgres@127.0.0.1:5432/govinfo_bench_scoring), or pass --force."
        )
    params = {k: v for k, v in {"host": db["HOST"], "port": db["PORT"], "user": db["USER"]}.items() if v}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
                print(f"created database {db['NAME']}")
    finally:
        conn.close()


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)


def cell(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 … 99 in Chinese numerals."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


# --- the world: units, classes, publications, schemes ----------------------------------


def _children(parent, specs: list[tuple[str, str, str, int | None, int]]) -> list:
    """The children named in `specs` (name, short name, kind, class id, order), created
    in bulk where missing; bulk_create skips Unit.save, so path and order key are set here."""
    from units.models import Unit, order_segment

    existing = {u.name: u for u in Unit.objects.filter(parent=parent)}
    new = [
        Unit(name=name, short_name=short, kind=kind, parent=parent, assessment_class_id=klass, sort_order=order)
        for name, short, kind, klass, order in specs
        if name not in existing
    ]
    if new:
        Unit.objects.bulk_create(new)
        for unit in new:
            unit.path, unit.depth = f"{parent.path}{unit.pk}/", parent.depth + 1
            unit.order_key = parent.order_key + order_segment(unit.sort_order, unit.pk)
        Unit.objects.bulk_update(new, ["path", "depth", "order_key"])
        existing.update((u.name, u) for u in new)
    return [existing[name] for name, *_ in specs]


def _city_children(rng: random.Random, city: str, size: int, index: int, classes: dict) -> list:
    from units.models import UnitKind

    counties = 8 + index % 8
    departments = min(len(DEPARTMENTS), round((size - counties) * 0.6))
    others = size - counties - departments
    specs = []
    names: set[str] = set()
    while len(names) < counties:
        names.add(rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice("县县县区市"))
    for order, county in enumerate(sorted(names)):
        specs.append((f"{county}人民政府办公室", county, UnitKind.COUNTY_OFFICE, classes["county"], order))
    for order, stem in enumerate(DEPARTMENTS[:departments]):
        klass = classes["dept_a"] if order % 2 == 0 else classes["dept_b"]
        specs.append((f"{city}{stem}", f"{city[:-1]}{stem}", UnitKind.DEPARTMENT, klass, 100 + order))
    for n in range(others):
        if n < len(OTHERS):
            stem = OTHERS[n]
        else:
            k = n - len(OTHERS)
            stem = f"第{cn_number(k // 2 + 1)}{'人民医院' if k % 2 == 0 else '中学'}"
        specs.append((f"{city}{stem}", f"{city[:-1]}{stem}", UnitKind.OTHER, classes["other"], 300 + n))
    return specs


def _publications(office, specs) -> None:
    from publications.models import Confidentiality, Publication

    have = set(Publication.objects.filter(office=office).values_list("name", flat=True))
    Publication.objects.bulk_create(
        [
            Publication(
                office=office,
                name=s.name,
                kind=s.kind,
                schedule=s.schedule,
                points_full=s.points_full,
                points_brief=s.points_brief,
                allows_briefs=s.points_brief is not None,
                bonus_note=s.bonus_note,
                confidentiality=Confidentiality.INTERNAL,
                sort_order=order,
            )  # fmt: skip
            for order, s in enumerate(specs)
            if s.name not in have
        ]
    )


def _scheme(office, year: int, name: str, units: list, quotas: dict, instructions, classes: dict, *, province: bool):
    from publications.models import PublicationKind
    from scoring.models import (
        AwardTier,
        HigherAdoptionRule,
        InstructionRule,
        PenaltyRule,
        PublicationRule,
        QuotaRule,
        Scheme,
        SchemeUnit,
    )

    scheme, created = Scheme.objects.get_or_create(office=office, year=year, defaults={"name": name})
    if not created:
        return scheme
    SchemeUnit.objects.bulk_create([SchemeUnit(scheme=scheme, unit=u) for u in units])
    QuotaRule.objects.bulk_create(
        [QuotaRule(scheme=scheme, assessment_class_id=classes[c], quota=q) for c, q in quotas.items()]
    )
    rules = []
    for p in office.publications.all():
        rules += [
            PublicationRule(scheme=scheme, publication=p, form=f, points=p.points_full) for f in ("full", "composite")
        ]
        if p.points_brief is not None:
            rules.append(PublicationRule(scheme=scheme, publication=p, form="brief", points=p.points_brief))
        if province and p.kind == PublicationKind.REPORT_UP:
            HigherAdoptionRule.objects.create(scheme=scheme, publication=p, level="国办", points=15)
    PublicationRule.objects.bulk_create(rules)
    InstructionRule.objects.bulk_create(
        [InstructionRule(scheme=scheme, level=lv, points=pt) for lv, pt in instructions]
    )
    PenaltyRule.objects.bulk_create(
        [PenaltyRule(scheme=scheme, kind=k, points=pt, vetoes_award=veto) for k, pt, veto, _, _ in PENALTIES]
    )
    AwardTier.objects.bulk_create(
        [AwardTier(scheme=scheme, name=n, count=c, order=order) for order, (n, c) in enumerate(TIERS)]
    )
    return scheme


def seed_world(out: Report) -> None:
    from django.db import transaction

    from govinfo.demo import CITY_PUBLICATIONS, PROVINCE_PUBLICATIONS
    from scoring.models import Scheme
    from units.models import AssessmentClass, Unit, UnitKind

    started = time.perf_counter()
    rng = random.Random(SEED)
    with transaction.atomic():
        classes = {}
        for code, name in CLASSES:
            classes[code] = AssessmentClass.objects.get_or_create(code=code, defaults={"name": name})[0].pk
        province = Unit.objects.filter(parent=None, name=PROVINCE[0]).first() or Unit.objects.create(
            name=PROVINCE[0], short_name=PROVINCE[1], kind=UnitKind.PROVINCE_OFFICE
        )
        cities = _children(
            province,
            [(f"{c}人民政府办公室", c, UnitKind.CITY_OFFICE, classes["city"], i) for i, c in enumerate(CITIES)],
        )
        _children(
            province,
            [
                (f"云南省{s}", f"省{s}", UnitKind.DEPARTMENT, classes["dept_a"], 100 + i)
                for i, s in enumerate(DEPARTMENTS)
            ],
        )
        children = {}
        for index, (city, size) in enumerate(zip(cities, CITY_SIZES, strict=True)):
            children[city.pk] = _children(city, _city_children(rng, city.short_name, size, index, classes))
        _publications(province, PROVINCE_PUBLICATIONS)
        for city in cities:
            _publications(city, CITY_PUBLICATIONS)
        for year in YEARS:
            _scheme(province, year, f"{year}年全省政务信息工作考核", cities, PROVINCE_QUOTAS, INSTRUCTIONS["province"],
                    classes, province=True)  # fmt: skip
            for city in cities:
                _scheme(city, year, f"{year}年{city.short_name}政务信息工作考核", children[city.pk], CITY_QUOTAS,
                        INSTRUCTIONS["city"], classes, province=False)  # fmt: skip
    out(
        f"world: {Unit.objects.count():,} units, {Scheme.objects.count()} schemes "
        f"({time.perf_counter() - started:.1f} s)"
    )


# --- the ledger -------------------------------------------------------------------------


@dataclass
class Plan:
    """What one (scheme, unit) pair draws its entries from."""

    scheme_id: int
    unit_id: int
    year: int
    publications: list  # (id, name, points_full, points_brief, weight)
    instructions: list  # (level, points)
    higher_pub: tuple | None  # (id, name) of the report-up publication, for 国办采用
    count: int = 0


def _plans(rng: random.Random) -> list[Plan]:
    from scoring.models import Scheme, SchemeUnit

    activity: dict[int, float] = {}
    sigma = 0.6
    plans = []
    schemes = list(
        Scheme.objects.select_related("office").prefetch_related("office__publications", "instruction_rules")
    )
    members = defaultdict(list)
    for scheme_id, unit_id in SchemeUnit.objects.order_by("unit__path").values_list("scheme_id", "unit_id"):
        members[scheme_id].append(unit_id)
    for scheme in sorted(schemes, key=lambda s: (s.year, s.office.path)):
        level = "province" if scheme.office.parent_id is None else "city"
        pubs = [
            (p.pk, p.name, p.points_full, p.points_brief, 3 if p.points_full <= 5 else 1)
            for p in scheme.office.publications.all()
        ]
        report_up = next(((p.pk, p.name) for p in scheme.office.publications.all() if p.kind == "report_up"), None)
        instructions = [(r.level, int(r.points)) for r in scheme.instruction_rules.all()]
        for unit_id in members[scheme.pk]:
            factor = activity.setdefault(unit_id, rng.lognormvariate(-(sigma**2) / 2, sigma))
            plan = Plan(scheme.pk, unit_id, scheme.year, pubs, instructions, report_up if level == "province" else None)
            plan.count = ENTRIES_PER_UNIT_YEAR[level] * factor * YEAR_GROWTH[scheme.year]  # scaled below
            plans.append(plan)
    total = sum(p.count for p in plans)
    exact = [p.count * ENTRIES / total for p in plans]
    for plan, x in zip(plans, exact, strict=True):
        plan.count = int(x)
    short = ENTRIES - sum(p.count for p in plans)
    for i in sorted(range(len(plans)), key=lambda i: exact[i] - int(exact[i]), reverse=True)[:short]:
        plans[i].count += 1
    return plans


def _day(rng: random.Random, year: int, today: dt.date) -> dt.date:
    """A working day of `year`, not after today."""
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), today)
    span = (last - first).days + 1
    day = first + dt.timedelta(days=rng.randrange(span))
    if day.weekday() >= 5:
        day = first + dt.timedelta(days=rng.randrange(span))
    return day


def _draw(rng: random.Random, plan: Plan, today: dt.date) -> tuple:
    """One entry: (date, tiebreak, scheme, unit, source, points, rule, reason, source_ref)."""
    day = _day(rng, plan.year, today)
    source = rng.choices([*SOURCE_NAMES, "reversal"], weights=[*SOURCE_WEIGHTS, REVERSAL_SHARE])[0]
    if source == "higher" and plan.higher_pub is None:  # only the province rewards 国办采用
        source = "adoption"
    if source == "adoption":
        pub_id, name, full, brief, _ = rng.choices(plan.publications, weights=[p[4] for p in plan.publications])[0]
        if brief is not None and rng.random() < 0.3:
            return (day, rng.random(), plan.scheme_id, plan.unit_id, source, brief, f"publication:{pub_id}:brief",
                    f"《{name}》采用（简讯）", "")  # fmt: skip
        form, label = ("composite", "综合信息") if rng.random() < 0.1 else ("full", "全文")
        return (day, rng.random(), plan.scheme_id, plan.unit_id, source, full, f"publication:{pub_id}:{form}",
                f"《{name}》采用（{label}）", "")  # fmt: skip
    if source == "instruction":
        level, points = rng.choice(plan.instructions)
        return (day, rng.random(), plan.scheme_id, plan.unit_id, source, points, f"instruction:{level}",
                f"{level}批示", f"instruction:{rng.randrange(1, 10**6)}")  # fmt: skip
    if source == "higher":
        pub_id, name = plan.higher_pub
        return (day, rng.random(), plan.scheme_id, plan.unit_id, source, 15, f"higher:{pub_id}:国办",
                f"国办采用（《{name}》）", f"higher:{rng.randrange(1, 10**6)}")  # fmt: skip
    if source == "penalty":
        kind, points, _, _, label = rng.choices(PENALTIES, weights=[p[3] for p in PENALTIES])[0]
        return (day, rng.random(), plan.scheme_id, plan.unit_id, source, -points, f"penalty:{kind}", label,
                f"item:{rng.randrange(1, 10**6)}")  # fmt: skip
    if source == "reversal":
        return (day, rng.random(), plan.scheme_id, plan.unit_id, source, 0, "", "", "")  # resolved in order
    points = rng.choice([-3, -2, -1, 1, 2, 3, 5])
    return (day, rng.random(), plan.scheme_id, plan.unit_id, "manual", points, "manual",
            f"手工调整：{rng.choice(MANUAL_REASONS)}", "")  # fmt: skip


def _rows(rng: random.Random, plans: list[Plan], first_id: int, today: dt.date):
    """The entries in the order they were appended (date order), with ids; a reversal
    cancels an earlier, not yet reversed adoption of the same unit in the same scheme."""
    drawn = [_draw(rng, plan, today) for plan in plans for _ in range(plan.count)]
    drawn.sort(key=lambda e: (e[0], e[1]))
    open_adoptions: dict[tuple[int, int], list] = defaultdict(list)
    tz = dt.timezone(dt.timedelta(hours=8))
    for offset, (day, tiebreak, scheme_id, unit_id, source, points, rule, reason, ref) in enumerate(drawn):
        pk = first_id + offset
        key = (scheme_id, unit_id)
        reverses = None
        if source == "reversal":
            candidates = open_adoptions[key]
            if candidates:
                orig_pk, orig_points, orig_rule = candidates.pop(rng.randrange(len(candidates)))
                reverses, points, rule = orig_pk, -orig_points, orig_rule
                reason = f"撤销采用冲正：{rng.choice(REVERSAL_REASONS)}"
            else:
                source, points, rule, reason = "manual", 1, "manual", f"手工调整：{MANUAL_REASONS[0]}"
        elif source == "adoption":
            open_adoptions[key].append((pk, points, rule))
        seconds = 8 * 3600 + int(tiebreak * 10 * 3600)
        created = dt.datetime.combine(day, dt.time(), tz) + dt.timedelta(seconds=seconds)
        yield (pk, scheme_id, unit_id, day.isoformat(), source, None, None, ref, rule, points, reason, reverses, None,
               created.isoformat(), "")  # fmt: skip


# --- the rows behind the entries: items, adoptions, issues, instructions ---------------

ISSUE_SIZE = 30  # adoptions per issue
CONFIDENTIALITY = [("internal", 0.95), ("public", 0.05)]
LATE_SHARE = 0.05
INSTRUCTION_TEXTS = [
    "请{unit}认真总结经验做法，进一步抓好落实。", "此件很好，请{unit}继续跟踪，及时报告进展。",
    "请{unit}会同有关部门研究提出具体措施。", "阅。请{unit}抓紧推进，确保取得实效。",
]  # fmt: skip
FEEDBACK = "已按批示要求研究部署，有关工作正在推进，进展情况将及时报告。"


@dataclass(eq=False)
class Backed:
    """One adoption (and the item it adopts: same id) behind a ledger entry."""

    id: int
    unit_id: int
    office_id: int
    publication_id: int
    form: str
    adopted_at: dt.datetime
    chunk: tuple  # (publication, year, index): the issue it goes into
    position: int
    withdrawn_at: dt.datetime | None = None


class Backing:
    """The real rows behind the ledger: an item (submitted by the unit to the scheme's
    office, adopted and, once its issue is signed, published) and an adoption into the
    entry's publication for every adoption entry; the adoption withdrawn for every
    reversal; an instruction on one of the unit's earlier adopted items (each level once
    per item) for every instruction entry; signed, numbered issues of ~30 adoptions.

    Own random stream, so the ledger is the same as with --no-adoptions (the before/after
    comparison) apart from the ids its rows carry."""

    def __init__(self, rng: random.Random, first_id: int, office_of: dict[int, int], publications: dict[int, list]):
        self.rng = rng
        self.next_id = first_id
        self.office_of = office_of  # scheme id -> office id
        self.publications = publications  # office id -> [publication id, ...]
        self.adoptions: list[Backed] = []
        self.of_entry: dict[int, Backed] = {}  # ledger pk -> the adoption behind it
        self.per_pub_year: dict[tuple, int] = defaultdict(int)
        self.candidates: dict[tuple, list[Backed]] = defaultdict(list)  # (office, unit) -> not withdrawn
        self.instructed: set[tuple[int, str]] = set()
        self.instructions: list[tuple] = []  # (id, adoption, office, level, date, created)
        self.next_instruction = 1
        self.prehistoric = 0  # instructions on items adopted before the first scheme-year

    def _adopt(self, unit_id: int, office_id: int, pub_id: int, form: str, at: dt.datetime) -> Backed:
        key = (pub_id, at.year)
        n = self.per_pub_year[key]
        self.per_pub_year[key] = n + 1
        backed = Backed(self.next_id, unit_id, office_id, pub_id, form, at, (pub_id, at.year, n // ISSUE_SIZE),
                        n % ISSUE_SIZE)  # fmt: skip
        self.next_id += 1
        self.adoptions.append(backed)
        return backed

    def attach(self, row: tuple) -> tuple:
        """The ledger row with the ids of the rows behind it."""
        pk, scheme_id, unit_id, day, source, _, _, ref, rule, points, reason, reverses, by, created, chain = row
        office_id = self.office_of[scheme_id]
        at = dt.datetime.fromisoformat(created)
        if source == "adoption":
            _, pub_id, form = rule.split(":")
            backed = self._adopt(unit_id, office_id, int(pub_id), form, at)
            self.of_entry[pk] = backed
            self.candidates[(office_id, unit_id)].append(backed)
            return (pk, scheme_id, unit_id, day, source, backed.id, backed.id, ref, rule, points, reason, reverses, by,
                    created, chain)  # fmt: skip
        if source == "reversal":
            backed = self.of_entry[reverses]
            backed.withdrawn_at = at
            open_ = self.candidates[(office_id, unit_id)]
            if backed in open_:
                open_.remove(backed)
            return (pk, scheme_id, unit_id, day, source, backed.id, backed.id, ref, rule, points, reason, reverses, by,
                    created, chain)  # fmt: skip
        if source == "instruction":
            level = rule.split(":", 1)[1]
            backed = self._instructed_item(office_id, unit_id, level, at)
            iid = self.next_instruction
            self.next_instruction += 1
            self.instructed.add((backed.id, level))
            self.instructions.append((iid, backed, office_id, level, dt.date.fromisoformat(day), at))
            return (pk, scheme_id, unit_id, day, source, None, backed.id, f"instruction:{iid}", rule, points, reason,
                    reverses, by, created, chain)  # fmt: skip
        return row

    def _instructed_item(self, office_id: int, unit_id: int, level: str, at: dt.datetime) -> Backed:
        """One of the unit's adopted items at the office (any earlier year too) that has
        no instruction of this level yet; failing that, an item adopted in the year before
        the first scheme (no scheme, so no ledger row and no board counts it)."""
        open_ = self.candidates[(office_id, unit_id)]
        for _ in range(5 if open_ else 0):
            backed = self.rng.choice(open_)
            if (backed.id, level) not in self.instructed:
                return backed
        self.prehistoric += 1
        year = min(YEARS) - 1
        adopted = dt.datetime(year, 12, 1, 10, tzinfo=at.tzinfo) + dt.timedelta(hours=self.rng.randrange(24 * 28))
        pub_id = self.rng.choice(self.publications[office_id])
        return self._adopt(unit_id, office_id, pub_id, "full", adopted)

    def issues(self, users: "BenchUsers") -> dict[tuple, tuple]:
        """chunk -> issue row. Every chunk is a signed issue, numbered in its year, but the
        last, unfilled one of the current year (still being composed: its items adopted,
        not yet published)."""
        last_year = max(YEARS)
        signed_at: dict[tuple, dt.datetime] = {}
        for b in self.adoptions:
            signed_at[b.chunk] = max(signed_at.get(b.chunk, b.adopted_at), b.adopted_at)
        now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
        rows, totals, issue_id = {}, defaultdict(int), 1
        for chunk in sorted(signed_at):
            pub_id, year, index = chunk
            n = self.per_pub_year[(pub_id, year)]
            if year == last_year and index == (n - 1) // ISSUE_SIZE and n % ISSUE_SIZE:
                continue
            totals[pub_id] += 1
            at = max(signed_at[chunk], min(signed_at[chunk] + dt.timedelta(hours=2), now))
            office_id = users.office_of_publication[pub_id]
            editor, signer = users.editor[office_id], users.signer[office_id]
            stamp = at.isoformat()
            rows[chunk] = (issue_id, False, "signed", year, index + 1, totals[pub_id], stamp, at.date().isoformat(),
                           "", None, "", stamp, 1, "", editor, pub_id, signer, "", "", stamp, editor, "")  # fmt: skip
            issue_id += 1
        return rows


ISSUE_COLUMNS = (
    "id, special, state, year, number, total, signed_at, signed_date, extra_recipients, copies, compile_key, "
    "created_at, version, docx, created_by_id, publication_id, signed_by_id, note_body, note_title, sent_at, "
    "sent_by_id, pdf"
)
ITEM_COLUMNS = (
    "id, title, body, form, event_date, writers, phone, signature, confidentiality, state, version, signed_off_at, "
    "first_submitted_at, submitted_at, deadline, is_late, created_at, updated_at, author_id, category_id, office_id, "
    "signed_off_by_id, unit_id, forwarded_from_id, report_kind, report_seq, commission_id, emergency_case_id"
)
ADOPTION_COLUMNS = (
    "id, form, title, body, adopted_at, position, withdrawn_at, adopted_by_id, item_id, publication_id, "
    "withdrawn_by_id, issue_id"
)
SOURCE_COLUMNS = "id, adoption_id, item_id"
INSTRUCTION_COLUMNS = (
    "id, leader_name, level, text, date, deadline, created_at, issue_id, item_id, leader_id, office_id, recorded_by_id"
)
HANDLER_COLUMNS = "id, feedback, feedback_at, is_late, penalized_at, feedback_by_id, instruction_id, unit_id"
COPIED_TABLES = [
    "publications_issue", "submissions_item", "publications_adoption", "publications_adoptionsource",
    "publications_instruction", "publications_instructionhandler",
]  # fmt: skip
BACKING_TABLES = [*COPIED_TABLES, "submissions_itemsearch", "submissions_deskcount"]  # the last two: triggers'


@dataclass
class BenchUsers:
    author: dict[int, int]  # unit id -> its 信息员's user id
    editor: dict[int, int]  # office id -> an editor's user id
    signer: dict[int, int]  # office id -> a leader who signs issues
    office_of_publication: dict[int, int]
    unit_name: dict[int, str]


def bench_users() -> BenchUsers:
    """A 信息员 per assessed unit, an editor and a signer per office, created in bulk
    (no roles: nobody signs in as them; the measured logins are made in targets())."""
    from publications.models import Publication
    from scoring.models import SchemeUnit
    from units.models import Unit, User

    units = {u.pk: u for u in Unit.objects.all()}
    offices = set(Publication.objects.values_list("office_id", flat=True))
    assessed = set(SchemeUnit.objects.values_list("unit_id", flat=True))
    wanted = {f"scoring_staff_{pk}": (pk, "信息员") for pk in assessed}
    wanted |= {f"scoring_editor_{pk}": (pk, "编辑") for pk in offices}
    wanted |= {f"scoring_signer_{pk}": (pk, "签发领导") for pk in offices}
    have = set(User.objects.filter(username__in=list(wanted)).values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=name, unit_id=pk, full_name=f"{units[pk].display_name}{label}（基准）", password="!")
            for name, (pk, label) in wanted.items()
            if name not in have
        ],
        batch_size=1000,
    )
    ids = dict(User.objects.filter(username__startswith="scoring_").values_list("username", "pk"))
    return BenchUsers(
        author={pk: ids[f"scoring_staff_{pk}"] for pk in assessed},
        editor={pk: ids[f"scoring_editor_{pk}"] for pk in offices},
        signer={pk: ids[f"scoring_signer_{pk}"] for pk in offices},
        office_of_publication=dict(Publication.objects.values_list("pk", "office_id")),
        unit_name={pk: u.short_name or u.name for pk, u in units.items()},
    )


def _copy(cursor, table: str, columns: str, rows) -> tuple[int, float]:
    """COPY `rows` into `table` in chunks; (rows written, seconds in COPY)."""
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    written, seconds = 0, 0.0
    rows = iter(rows)
    while True:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        n = 0
        for row in rows:
            writer.writerow(["\\N" if v is None else v for v in row])
            n += 1
            if n == COPY_CHUNK:
                break
        if not n:
            return written, seconds
        buffer.seek(0)
        t = time.perf_counter()
        cursor.copy_expert(sql, buffer)
        seconds += time.perf_counter() - t
        written += n
        if written >= COPY_CHUNK:
            print(f"  {table}: {written:,} rows", flush=True)


def write_backing(cursor, out: Report, backing: Backing, users: BenchUsers) -> None:
    """The items, adoptions and their sources, issues, instructions and their handlers,
    with COPY (the items' triggers fire: search grams and desk counts are written as
    for any insert). Titles are generated (bench/texts.py), bodies one short sentence."""
    from bench.texts import PERIODS, RESULTS, THEMES, TITLES, TextMaker
    from submissions.models import Category

    rng = backing.rng
    text = TextMaker(rng)
    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    issues = backing.issues(users)
    issue_of = {chunk: row[0] for chunk, row in issues.items()}
    texts: dict[int, tuple[str, str]] = {}
    started = time.perf_counter()

    def items():
        for b in backing.adoptions:
            unit = users.unit_name[b.unit_id]
            title = text._fill(rng.choice(TITLES[rng.choice(THEMES)]), unit)
            body = f"{text._fill(rng.choice(PERIODS), unit)}，{unit}{text._fill(rng.choice(RESULTS), unit)}。"
            texts[b.id] = (title, body)
            submitted = b.adopted_at - dt.timedelta(minutes=rng.randrange(60, 4 * 24 * 60))
            signed = submitted - dt.timedelta(minutes=rng.randrange(10, 240))
            conf = "public" if rng.random() < CONFIDENTIALITY[1][1] else "internal"
            state = "published" if b.chunk in issue_of else "adopted"
            yield (b.id, title, body, "brief" if b.form == "brief" else "full", None, "", "", "", conf, state, 1,
                   signed.isoformat(), submitted.isoformat(), submitted.isoformat(), None, rng.random() < LATE_SHARE,
                   (signed - dt.timedelta(hours=1)).isoformat(), b.adopted_at.isoformat(), users.author[b.unit_id],
                   rng.choice(categories), b.office_id, None, b.unit_id, None, "", 0, None, None)  # fmt: skip

    def adoptions():
        for b in backing.adoptions:
            title, body = texts.pop(b.id)
            withdrawn = b.withdrawn_at.isoformat() if b.withdrawn_at else None
            yield (b.id, b.form, title, body, b.adopted_at.isoformat(), b.position, withdrawn,
                   users.editor[b.office_id], b.id, b.publication_id, users.editor[b.office_id] if withdrawn else None,
                   issue_of.get(b.chunk))  # fmt: skip

    def instructions():
        for iid, b, office_id, level, day, at in backing.instructions:
            words = rng.choice(INSTRUCTION_TEXTS).format(unit=users.unit_name[b.unit_id])
            yield (iid, text.person(), level, words, day.isoformat(), (day + dt.timedelta(days=10)).isoformat(),
                   at.isoformat(), issue_of.get(b.chunk), b.id, None, office_id, users.editor[office_id])  # fmt: skip

    now = dt.datetime.now(dt.UTC)

    def handlers():
        for iid, b, _, _, _, at in backing.instructions:
            answered = at + dt.timedelta(days=rng.randrange(2, 10))
            done = answered <= now
            yield (iid, FEEDBACK if done else "", answered.isoformat() if done else None, False, None,
                   users.author[b.unit_id] if done else None, iid, b.unit_id)  # fmt: skip

    for table, columns, rows in [
        ("publications_issue", ISSUE_COLUMNS, issues.values()),
        ("submissions_item", ITEM_COLUMNS, items()),
        ("publications_adoption", ADOPTION_COLUMNS, adoptions()),
        ("publications_adoptionsource", SOURCE_COLUMNS, ((b.id, b.id, b.id) for b in backing.adoptions)),
        ("publications_instruction", INSTRUCTION_COLUMNS, instructions()),
        ("publications_instructionhandler", HANDLER_COLUMNS, handlers()),
    ]:
        t = time.perf_counter()
        written, copy_seconds = _copy(cursor, table, columns, rows)
        out(f"  {table}: {written:,} rows in {time.perf_counter() - t:.0f} s (COPY {copy_seconds:.0f} s)")
    for table in COPIED_TABLES:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    # The desk-count trigger wrote a +1 row per item: fold them to a row per (office, state),
    # as the desk itself does past DESK_COUNT_FOLD_AT (submissions.queries._fold_desk_counts).
    cursor.execute(
        "WITH gone AS (DELETE FROM submissions_deskcount RETURNING office_id, state, n) "
        "INSERT INTO submissions_deskcount (office_id, state, n) "
        "SELECT office_id, state, SUM(n) FROM gone GROUP BY office_id, state HAVING SUM(n) <> 0"
    )
    out(
        f"backing rows: {len(backing.adoptions):,} items and adoptions ({backing.prehistoric:,} adopted before "
        f"{min(YEARS)}, for instructions with no earlier item), {len(issues):,} issues, "
        f"{len(backing.instructions):,} instructions, {sum(b.withdrawn_at is not None for b in backing.adoptions):,} "
        f"adoptions withdrawn, in {time.perf_counter() - started:.0f} s"
    )


def seed_ledger(out: Report) -> None:
    from django.db import connection, transaction

    from publications.models import Publication
    from scoring.models import LedgerEntry, Scheme
    from submissions.models import Item

    existing = LedgerEntry.objects.count()
    if existing == ENTRIES:
        if Item.objects.exists() != ADOPTIONS:
            raise SystemExit(
                f"This database was seeded {'without' if ADOPTIONS else 'with'} the adoptions behind the ledger; "
                f"run {'without' if ADOPTIONS else 'with'} --no-adoptions, or use another bench database."
            )
        out(f"ledger: {existing:,} entries already; seeding skipped")
        return
    if existing:
        raise SystemExit(
            f"The ledger holds {existing:,} entries, not 0 or {ENTRIES:,}; it is append-only, so drop and recreate "
            "the bench database (dropdb govinfo_bench_scoring) and run again."
        )
    rng = random.Random(SEED + 1)
    started = time.perf_counter()
    plans = _plans(rng)
    rows = _rows(rng, plans, 1, dt.date.today())
    backing = None
    if ADOPTIONS:
        publications = defaultdict(list)
        for pk, office_id in Publication.objects.order_by("sort_order", "pk").values_list("pk", "office_id"):
            publications[office_id].append(pk)
        first_id = 1 + max(Item.objects.order_by("-pk").values_list("pk", flat=True).first() or 0, 0)
        office_of = dict(Scheme.objects.values_list("pk", "office_id"))
        backing = Backing(random.Random(SEED + 2), first_id, office_of, publications)
        rows = [backing.attach(row) for row in rows]
        out(f"ledger rows and what is behind them drawn in {time.perf_counter() - started:.0f} s")
    with transaction.atomic(), connection.cursor() as cursor:
        if backing is not None:
            write_backing(cursor, out, backing, bench_users())
        t = time.perf_counter()
        written, copy_seconds = _copy(cursor, "scoring_ledgerentry", COPY_COLUMNS, rows)
        ledger_seconds = time.perf_counter() - t
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('scoring_ledgerentry', 'id'), "
            "(SELECT max(id) FROM scoring_ledgerentry))"
        )
    seconds = time.perf_counter() - started
    out(
        f"ledger: {written:,} entries over {len(plans):,} (scheme, unit) pairs in {seconds:.0f} s in all "
        f"({written / seconds:,.0f} entries/s; the ledger's COPY {copy_seconds:.0f} s of {ledger_seconds:.0f} s "
        "writing it, the rest generating rows in Python and writing what is behind them)"
    )
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE scoring_ledgerentry")
        for table in BACKING_TABLES if backing is not None else []:
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")
    out(f"VACUUM ANALYZE in {time.perf_counter() - t:.1f} s")


def describe_data(out: Report) -> None:
    from django.db import connection
    from django.db.models import Count

    from scoring.models import LedgerEntry

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_table_size('scoring_ledgerentry')), "
            "pg_size_pretty(pg_indexes_size('scoring_ledgerentry'))"
        )
        table_size, index_size = cursor.fetchone()
    sources = dict(LedgerEntry.objects.values_list("source").annotate(n=Count("pk")).values_list("source", "n"))
    total = sum(sources.values())
    out(
        f"ledger: {total:,} entries, table {table_size}, indexes {index_size}; "
        + ", ".join(f"{k} {v / total:.1%}" for k, v in sorted(sources.items(), key=lambda kv: -kv[1]))
    )
    backed = LedgerEntry.objects.filter(source__in=["adoption", "instruction", "reversal"])
    without = backed.filter(item__isnull=True).count()
    with connection.cursor() as cursor:
        counts = []
        for table in BACKING_TABLES:
            cursor.execute(f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            n, size = cursor.fetchone()
            counts.append(f"{table.split('_', 1)[1]} {n:,} ({size})")
    out("behind it: " + ", ".join(counts) + f"; adoption/instruction/reversal entries without an item: {without:,}")


# --- measuring --------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    kind: str  # "page" or "function"
    note: str
    url: str = ""
    client: object = None
    call: object = None
    is_board: bool = False


@dataclass
class Result:
    name: str
    times: list[float] = field(default_factory=list)  # ms, per timed request
    sql: list[float] = field(default_factory=list)  # ms of SQL, per timed request
    render: list[float] = field(default_factory=list)  # ms in the view's render(), per timed request
    queries: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times, n=20, method="inclusive")[18]

    @property
    def fastest(self) -> float:
        return min(self.times)

    @property
    def sql_ms(self) -> float:
        return statistics.median(self.sql)

    @property
    def render_ms(self) -> float | None:
        return statistics.median(self.render) if any(self.render) else None


class QueryTimer:
    """Per-query wall time to the microsecond (connection.queries keeps milliseconds)."""

    def __init__(self) -> None:
        self.ms: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms.append((time.perf_counter() - started) * 1000)


def bench_settings():
    """The site as production serves it: DEBUG off (no query log kept)."""
    from django.conf import settings
    from django.test.utils import override_settings

    return override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"])


def _client(user):
    from bench.clients import signed_in_client

    return signed_in_client(user)


def targets() -> tuple[list[Target], dict]:
    from django.db.models import Count

    from scoring import queries
    from scoring.models import LedgerEntry, Scheme
    from units.actions import ensure_person
    from units.models import Role, Unit

    year = max(YEARS)
    province = Unit.objects.get(parent=None, name=PROVINCE[0])
    prov_scheme = Scheme.objects.get(office=province, year=year)
    city_scheme = (
        Scheme.objects.filter(year=year, office__parent=province)
        .annotate(n=Count("scheme_units"))
        .order_by("-n")
        .first()
    )
    city = city_scheme.office
    logins = [  # key, unit, role, label
        ("prov_leader", province, Role.LEADER, "领导"),
        ("city_leader", city, Role.LEADER, "领导"),
        ("city_admin", city, Role.SYSTEM_ADMIN, "管理员"),
    ]
    clients = {}
    for key, unit, role, label in logins:
        user, _ = ensure_person(
            unit=unit, username=f"scoring_{key}", full_name=f"{unit.display_name}{label}（基准）", roles=[role],
            password=PASSWORD,
        )  # fmt: skip
        clients[key] = _client(user)

    def busiest(scheme):
        row = LedgerEntry.objects.filter(scheme=scheme).values("unit_id").annotate(n=Count("pk")).order_by("-n").first()
        return Unit.objects.get(pk=row["unit_id"]), row["n"]

    def size(scheme):
        return LedgerEntry.objects.filter(scheme=scheme).count(), scheme.scheme_units.count()

    prov_entries, prov_units = size(prov_scheme)
    city_entries, city_units = size(city_scheme)
    prov_unit, prov_unit_n = busiest(prov_scheme)
    city_unit, city_unit_n = busiest(city_scheme)
    prov_note = f"{prov_scheme.name}: {prov_units} units, {prov_entries:,} entries"
    city_note = f"{city_scheme.name}: {city_units} units, {city_entries:,} entries"
    fresh = {"prov": prov_scheme.pk, "city": city_scheme.pk}

    def board_call(pk):
        return lambda: queries.scoreboard(Scheme.objects.select_related("office").get(pk=pk))

    target_list = [
        Target("province board", "page", prov_note, f"/scoring/{prov_scheme.pk}/", clients["prov_leader"],
               is_board=True),
        Target("province ledger", "page", f"{prov_unit.display_name}: {prov_unit_n:,} entries, page 1 of 50",
               f"/scoring/{prov_scheme.pk}/units/{prov_unit.pk}/", clients["prov_leader"]),
        Target("city board", "page", city_note, f"/scoring/{city_scheme.pk}/", clients["city_leader"], is_board=True),
        Target("city ledger", "page", f"{city_unit.display_name}: {city_unit_n:,} entries, page 1 of 50",
               f"/scoring/{city_scheme.pk}/units/{city_unit.pk}/", clients["city_leader"]),
        Target("city ledger (admin)", "page", "as the city's administrator: the view also computes the scoreboard",
               f"/scoring/{city_scheme.pk}/units/{city_unit.pk}/", clients["city_admin"]),
        Target("scoreboard() province", "function", "queries.scoreboard(scheme) alone", call=board_call(fresh["prov"]),
               is_board=True),
        Target("scoreboard() city", "function", "queries.scoreboard(scheme) alone", call=board_call(fresh["city"]),
               is_board=True),
    ]  # fmt: skip
    return target_list, {"prov_scheme": prov_scheme, "city_scheme": city_scheme}


def _run(target: Target) -> None:
    if target.kind == "page":
        response = target.client.get(target.url)
        if response.status_code != 200:
            raise SystemExit(f"{target.name}: {target.url} answered {response.status_code}")
    else:
        target.call()


class RenderTimer:
    """Wraps the scoring views' render() to time the template apart from the view; SQL
    that runs inside it (lazy querysets: the ledger page, the unread count) is left out."""

    def __init__(self, queries: QueryTimer) -> None:
        from scoring import views

        self.real = views.render
        self.queries = queries
        self.ms = 0.0

    def __call__(self, *args, **kwargs):
        started, before = time.perf_counter(), len(self.queries.ms)
        try:
            return self.real(*args, **kwargs)
        finally:
            self.ms += (time.perf_counter() - started) * 1000 - sum(self.queries.ms[before:])


def measure(target_list: list[Target], *, requests: int, warmup: int) -> dict[str, Result]:
    """Rounds of every target; per request the wall time, the SQL time (execute_wrapper)
    and the template time. Query count and SQL text from one more request under
    CaptureQueriesContext."""
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {t.name: Result(t.name) for t in target_list}
    timer = QueryTimer()
    render = RenderTimer(timer)
    with bench_settings(), connection.execute_wrapper(timer), mock.patch("scoring.views.render", render):
        for round_no in range(warmup + requests):
            for target in target_list:
                timer.ms.clear()
                render.ms = 0.0
                started = time.perf_counter()
                _run(target)
                elapsed = (time.perf_counter() - started) * 1000
                if round_no >= warmup:
                    result = results[target.name]
                    result.times.append(elapsed)
                    result.sql.append(sum(timer.ms))
                    result.render.append(render.ms)
        for target in target_list:
            timer.ms.clear()
            with CaptureQueriesContext(connection) as ctx:
                _run(target)
            result = results[target.name]
            result.queries = len(ctx.captured_queries)
            timed = list(zip(timer.ms, (q["sql"] for q in ctx.captured_queries), strict=True))
            result.slowest = sorted(timed, key=lambda x: x[0], reverse=True)
    return results


def table(out: Report, title: str, target_list: list[Target], results: dict[str, Result]) -> None:
    out(f"\n== {title} ==")
    out(
        f"{cell('page', 24)} {'median ms':>9} {'p95 ms':>8} {'min ms':>7} {'queries':>7} {'sql ms':>7} "
        f"{'render ms':>9}  notes"
    )
    for t in target_list:
        r = results[t.name]
        render = f"{r.render_ms:>9.1f}" if r.render_ms is not None else f"{'-':>9}"
        out(
            f"{cell(r.name, 24)} {r.median:>9.1f} {r.p95:>8.1f} {r.fastest:>7.1f} {r.queries:>7} {r.sql_ms:>7.1f} "
            f"{render}  {t.note}"
        )
    out("(sql ms, render ms: medians per request of the time in SQL, and in the template's render() less its SQL)")


def verdict(out: Report, target_list: list[Target], results: dict[str, Result]) -> bool:
    out(f"\n== verdict: scoreboard under {TARGET_MS:g} ms (median) ==")
    passed = True
    for t in target_list:
        if not t.is_board:
            continue
        r = results[t.name]
        ok = r.median < TARGET_MS
        passed &= ok
        out(f"{cell(r.name, 24)} {'PASS' if ok else 'FAIL'}  median {r.median:.1f} ms, p95 {r.p95:.1f} ms")
    out(f"overall: {'PASS' if passed else 'FAIL'}")
    return passed


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def slow_queries(out: Report, results: dict[str, Result], names: list[str], *, plans: int) -> None:
    for name in names:
        r = results[name]
        out(f"\n== {name}: {r.queries} queries, median {r.sql_ms:.1f} ms of SQL per call; slowest in one call ==")
        for ms, sql in r.slowest[:5]:
            out(f"{ms:7.1f} ms  {' '.join(sql.split())[:400]}")
        for ms, sql in r.slowest[:plans]:
            if "scoring_ledgerentry" not in sql and ms < 1:
                continue
            out(f"\n-- EXPLAIN (ANALYZE, BUFFERS) of the {ms:.1f} ms query:\n{' '.join(sql.split())}")
            out(explain(sql))


# --- experiments: candidate indexes, created in the bench database only ---------------


@dataclass
class Candidate:
    name: str
    columns: str  # as pg_indexes prints them after "USING btree "
    why: str


CANDIDATES = [
    Candidate(
        "scoring_bench_ledger_cover",
        "(scheme_id, unit_id, date) INCLUDE (points, source)",
        "per-unit, per-month sums from the index alone (an index-only scan: the query must count a column in the "
        "index, e.g. COUNT(source), not COUNT(id))",
    ),
    Candidate("scoring_bench_ledger_rule", "(scheme_id, rule)", "vetoing penalties found without scanning the scheme"),
]


def existing_index(columns: str) -> str | None:
    """The name of an index on the ledger with exactly these columns, if there is one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'scoring_ledgerentry'")
        for name, definition in cursor.fetchall():
            if definition.endswith(f"USING btree {columns}"):
                return name
    return None


def compare(out: Report, chosen: list[Target], base: dict[str, Result], results: dict[str, Result]) -> None:
    out(f"{cell('page', 24)} {'median ms':>15} {'min ms':>15} {'sql ms':>15} {'render ms':>9} {'queries':>7}")
    out(f"{cell('', 24)} {'before → after':>15} {'before → after':>15} {'before → after':>15}")
    for t in chosen:
        b, r = base[t.name], results[t.name]
        render = f"{r.render_ms:>9.1f}" if r.render_ms is not None else f"{'-':>9}"
        out(
            f"{cell(t.name, 24)} {b.median:>6.1f} → {r.median:>6.1f} {b.fastest:>6.1f} → {r.fastest:>6.1f} "
            f"{b.sql_ms:>6.1f} → {r.sql_ms:>6.1f} {render} {r.queries:>7}"
        )


def stale_visibility(out: Report, target_list: list[Target], args, base: dict[str, Result]) -> None:
    """The scoreboards before autovacuum has caught up with appended rows.

    An index-only scan skips the table only for pages the visibility map marks
    all-visible; VACUUM after seeding marks every page, but in use the rows appended
    since the last autovacuum (by default it comes after 20 % of the table's size in
    inserts: ~200,000 rows here, about a year of entries) are not, so the current year's
    scoreboard may fetch every one of its rows from the table. Clearing the map
    (pg_visibility) shows that worst case; VACUUM restores it afterwards."""
    from django.db import connection

    out("\n== experiment: visibility map cleared (rows appended since the last autovacuum) ==")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_visibility'")
        if cursor.fetchone() is None:
            out("extension pg_visibility not available: skipped")
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_visibility")
        cursor.execute("SELECT pg_truncate_visibility_map('scoring_ledgerentry')")
    chosen = [t for t in target_list if t.is_board or "admin" in t.name]
    try:
        results = measure(chosen, requests=args.requests, warmup=args.warmup)
        compare(out, chosen, base, results)
        verdict(out, chosen, results)
        slow_queries(out, results, ["scoreboard() city"], plans=1 if args.explain else 0)
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM scoring_ledgerentry")
        out(f"VACUUM (restoring the visibility map) in {time.perf_counter() - started:.1f} s")


def try_indexes(out: Report, target_list: list[Target], args, base: dict[str, Result]) -> None:
    """Re-measure the scoreboards with the candidate indexes the schema lacks."""
    from django.db import connection

    out("\n== experiment: candidate indexes (bench database only, dropped afterwards) ==")
    created = []
    with connection.cursor() as cursor:
        for c in CANDIDATES:
            have = existing_index(c.columns)
            if have:
                out(f"{c.columns}: already in the schema as {have}")
                continue
            started = time.perf_counter()
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {c.name} ON scoring_ledgerentry {c.columns}")
            cursor.execute("SELECT pg_size_pretty(pg_relation_size(%s::regclass))", [c.name])
            size = cursor.fetchone()[0]
            out(f"{c.columns}: created {c.name} ({size}, {time.perf_counter() - started:.1f} s) — {c.why}")
            created.append(c.name)
        if not created:
            out("nothing to try")
            return
        cursor.execute("VACUUM ANALYZE scoring_ledgerentry")
    chosen = [t for t in target_list if t.is_board or "admin" in t.name]
    try:
        results = measure(chosen, requests=args.requests, warmup=args.warmup)
        compare(out, chosen, base, results)
        verdict(out, chosen, results)
        slow_queries(out, results, ["scoreboard() city"], plans=3 if args.explain else 0)
    finally:
        if not args.keep_indexes:
            with connection.cursor() as cursor:
                for name in created:
                    cursor.execute(f"DROP INDEX IF EXISTS {name}")
    again = measure(target_list, requests=args.requests, warmup=args.warmup)
    table(out, "unchanged schema again, after the experiment (drift check on a shared machine)", target_list, again)


def wait_idle(out: Report, seconds: float, threshold: float = 0.7) -> None:
    """Wait (up to `seconds`) for the 1-minute load average to fall below `threshold`:
    the machine has 2 cores and other benchmarks may be running on it."""
    deadline = time.monotonic() + seconds
    load = os.getloadavg()[0]
    if load >= threshold and seconds > 0:
        print(f"load average {load:.2f}: waiting up to {seconds:.0f} s for < {threshold}", flush=True)
    while load >= threshold and time.monotonic() < deadline:
        time.sleep(10)
        load = os.getloadavg()[0]
    out(f"load average before measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--no-explain", dest="explain", action="store_false", help="skip EXPLAIN ANALYZE")
    parser.add_argument("--seed-only", action="store_true", help="seed, then stop")
    parser.add_argument(
        "--try-indexes",
        choices=["auto", "always", "never"],
        default="auto",
        help="re-measure with the candidate indexes the schema lacks (auto: when the scoreboard misses the target)",
    )
    parser.add_argument(
        "--no-stale-visibility",
        dest="stale_visibility",
        action="store_false",
        help="skip re-measuring with the visibility map cleared",
    )
    parser.add_argument("--keep-indexes", action="store_true", help="leave the candidate indexes in place")
    parser.add_argument("--wait-idle", type=float, default=600, help="seconds to wait for an idle machine first")
    parser.add_argument("--force", action="store_true", help="use a database whose name lacks 'bench'")
    parser.add_argument(
        "--no-adoptions",
        dest="adoptions",
        action="store_false",
        help="seed the ledger alone, its entries' item and adoption NULL, as before issue 18 (the 'before' figures); "
        "a database seeded one way is refused the other way",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a province of two small cities and a few thousand entries, two rounds, no experiments and no results "
        "file: proves the script runs (tests/test_bench.py); the figures mean nothing",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        shrink_for_smoke()
        args.requests, args.warmup, args.wait_idle, args.explain = 2, 0, 0, False
        args.stale_visibility, args.try_indexes = False, "never"

    global ADOPTIONS
    ADOPTIONS = args.adoptions
    setup_django()
    ensure_database(force=args.force)
    from django.core.management import call_command
    from django.db import connection

    out = Report()
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    out(
        f"govinfo scoring benchmark · {dt.datetime.now():%Y-%m-%d %H:%M} · PostgreSQL {pg} · Python "
        f"{platform.python_version()} · {os.cpu_count()} CPUs · {args.requests} requests after {args.warmup} "
        "warm-up rounds"
    )
    seed_world(out)
    seed_ledger(out)
    describe_data(out)
    if args.seed_only:
        return
    with connection.cursor() as cursor:  # leftovers of an interrupted experiment would skew the baseline
        for c in CANDIDATES:
            cursor.execute(f"DROP INDEX IF EXISTS {c.name}")
    target_list, _ = targets()
    wait_idle(out, args.wait_idle)
    results = measure(target_list, requests=args.requests, warmup=args.warmup)
    table(out, "results", target_list, results)
    passed = verdict(out, target_list, results)
    if not ADOPTIONS:
        out("\nnote: --no-adoptions: no items or adoptions are seeded, so the scoreboard's adoption-count and")
        out("submission-count queries return no rows (they still run; their cost with real adoptions is not measured).")
    slow_queries(out, results, ["scoreboard() province", "scoreboard() city"], plans=4 if args.explain else 0)
    if args.stale_visibility:
        stale_visibility(out, target_list, args, results)
    if args.try_indexes == "always" or (args.try_indexes == "auto" and not passed):
        try_indexes(out, target_list, args, results)
    out(f"\nload average after measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.smoke:
        print("\nsmoke run: every page answered 200; figures not written")
        return
    results_dir = BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"scoring-{dt.date.today():%Y-%m-%d}.txt"
    path.write_text("\n".join(out.lines) + "\n", encoding="utf-8")
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
