"""Seed the benchmark database with information items spread over the demo province.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govinfo_bench \\
        .venv/bin/python bench/seed_items.py --items 200000

Runs `migrate` and the demo loader, then tops the item table up to N items with
`bulk_create` in batches (going through the actions would take hours). Items look like
what two years of use leave behind:

* every unit with a parent submits to it (cities and provincial departments to the
  province, departments and counties to their city), bigger units more often; the
  author is the unit's 信息员 (the demo's `dept_staff`, `city_staff`, else a bench
  user per unit) and the unit's 审签人 signed it off;
* `submitted_at` over the last two years in office hours; the older an item, the more
  likely it is decided (adopted, rejected, archived …); about 4 % drafts and 1 % awaiting
  sign-off; ~10 % late, ~5 % public, ~1 % sensitive (text sealed as the app seals it);
* Chinese titles and bodies of 300–1200 characters (bench/texts.py), topic tags on a
  third of the items sent to offices that have topics;
* per item the events of its path (a "sign_off" for everything submitted, plus the
  editor's act for items being or having been handled) and one writer version; band-key
  fingerprints for items submitted in the last 90 days, as the duplicate check expects.

Deterministic for a given starting count, so a top-up from 20,000 to 200,000 always
adds the same items. Ends with VACUUM ANALYZE, as autovacuum would after a bulk load.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THEME_TOPICS = ("边境", "农业", "旅游", "山区", "灾害", "项目", "改革")
TOPIC_OFFICES = ("云南省人民政府办公厅", "昆明市人民政府办公室")
DEMO_AUTHORS = {
    "昆明市发展和改革委员会": ("dept_staff", "dept_approver"),
    "昆明市人民政府办公室": ("city_staff", "city_approver"),
}
DEMO_OFFICE_PEOPLE = {
    "云南省人民政府办公厅": ("prov_editor", "prov_leader"),
    "昆明市人民政府办公室": ("city_editor", "city_leader"),
}
UNIT_WEIGHTS = {"city_office": 3.0, "department": 2.0, "county_office": 1.0, "other": 1.0}
CATEGORY_WEIGHTS = {
    "progress": 3,
    "measures": 3,
    "results": 2,
    "experience": 1,
    "major": 2,
    "emergency": 0.5,
    "problem": 1,
    "difficulty": 0.5,
    "practice": 1,
    "abroad": 0.3,
    "proposal": 0.7,
}
# Share of states by age of the item since submission: the older, the more decided.
STATE_MIX = [
    (3, {"submitted": 55, "in_review": 25, "returned": 5, "held": 5, "rejected": 3, "adopted": 7}),
    (14, {"submitted": 15, "in_review": 15, "returned": 7, "held": 13, "rejected": 12, "adopted": 33, "published": 5}),
    (
        60,
        {
            "submitted": 3,
            "in_review": 3,
            "returned": 4,
            "held": 12,
            "rejected": 18,
            "adopted": 40,
            "published": 15,
            "archived": 5,
        },
    ),
    (
        10**6,
        {
            "submitted": 0.5,
            "in_review": 0.5,
            "returned": 2,
            "held": 6,
            "rejected": 20,
            "adopted": 37,
            "published": 18,
            "archived": 16,
        },
    ),
]
EDITOR_ACTS = {"in_review": "start_review", "returned": "return", "rejected": "reject", "held": "hold"}
EDITOR_COMMENTS = {
    "return": ["请补充具体数据和典型事例。", "标题不够精炼，请修改后重新报送。", "请核实有关数字并注明来源。"],
    "reject": ["内容与近期已报送信息重复。", "信息价值不高，不予采用。", "时效性不足，不予采用。"],
}
YEARS = 2
FINGERPRINT_DAYS = 90
DRAFT_SHARE, PENDING_SHARE = 0.04, 0.01
LATE_SHARE, PUBLIC_SHARE, SENSITIVE_SHARE, BRIEF_SHARE = 0.10, 0.05, 0.01, 0.10
TOPIC_SHARE, NEAR_DUPLICATE_SHARE = 0.35, 0.01


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govinfo.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def check_database(*, force: bool = False) -> None:
    """Refuse to fill a database that does not look like a benchmark database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if not force and ("postgresql" not in db["ENGINE"] or "bench" not in str(db["NAME"])):
        raise SystemExit(
            f"Refusing to seed {db['ENGINE']} {db['NAME']!r}: set DATABASE_URL to a PostgreSQL database whose "
            "name contains 'bench' (e.g. postgres://postgres@127.0.0.1:5432/govinfo_bench), or pass --force."
        )


@dataclass
class World:
    """What items are drawn from: submitting units and their people, offices, categories."""

    units: list = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    staff: dict = field(default_factory=dict)  # unit id → author
    approver: dict = field(default_factory=dict)  # unit id → unit approver
    editor: dict = field(default_factory=dict)  # office id → editor
    leader: dict = field(default_factory=dict)  # office id → leader (offices that have one)
    topics: dict = field(default_factory=dict)  # office id → {name: Topic}
    categories: list = field(default_factory=list)
    category_weights: list[float] = field(default_factory=list)
    timed: list = field(default_factory=list)  # categories with a deadline rule


def _bench_person(unit, role: str, label: str):
    from units.actions import set_roles
    from units.models import User

    user, created = User.objects.get_or_create(
        username=f"bench_{unit.pk}_{role}", defaults={"unit": unit, "full_name": f"{unit.display_name}{label}"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        set_roles(user=user, roles=[role])
    return user


def prepare(password: str | None = None, *, log=print) -> World:
    """migrate, the demo province, one author and approver per unit, the offices' topics."""
    from django.conf import settings
    from django.core.management import call_command

    from govinfo.demo import load_demo
    from submissions.models import Category, DeadlineRule, Topic
    from units.models import Role, Unit, User

    call_command("migrate", interactive=False, verbosity=0)
    load_demo(password or settings.DEMO_PASSWORD)
    world = World()
    for unit in Unit.objects.filter(parent__isnull=False).select_related("parent").order_by("path"):
        world.units.append(unit)
        world.weights.append(UNIT_WEIGHTS.get(unit.kind, 1.0))
        staff, approver = DEMO_AUTHORS.get(unit.name, (None, None))
        world.staff[unit.pk] = User.objects.get(username=staff) if staff else _bench_person(unit, Role.STAFF, "信息员")
        world.approver[unit.pk] = (
            User.objects.get(username=approver) if approver else _bench_person(unit, Role.UNIT_APPROVER, "审签人")
        )
    for office in {u.parent for u in world.units}:
        editor, leader = DEMO_OFFICE_PEOPLE.get(office.name, (None, None))
        world.editor[office.pk] = (
            User.objects.get(username=editor) if editor else _bench_person(office, Role.EDITOR, "编辑")
        )
        if leader:
            world.leader[office.pk] = User.objects.get(username=leader)
    for office in Unit.objects.filter(name__in=TOPIC_OFFICES):
        world.topics[office.pk] = {
            name: Topic.objects.get_or_create(office=office, name=name)[0] for name in THEME_TOPICS
        }
    for category in Category.objects.filter(parent__isnull=False).order_by("sort_order"):
        world.categories.append(category)
        world.category_weights.append(CATEGORY_WEIGHTS.get(category.code, 1))
        if category.deadline_rule != DeadlineRule.NONE:
            world.timed.append(category)
    log(f"world: {len(world.units)} submitting units, {len(world.editor)} offices, {len(world.categories)} categories")
    return world


def _office_hours(rnd: random.Random, day: dt.date, tz) -> dt.datetime:
    if day.weekday() >= 5 and rnd.random() < 0.8:  # little is submitted at weekends
        day -= dt.timedelta(days=day.weekday() - 4)
    minutes = rnd.randint(8 * 60 + 30, 18 * 60) if rnd.random() < 0.92 else rnd.randint(18 * 60, 23 * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60, rnd.randint(0, 59)), tzinfo=tz)


def _pick_state(rnd: random.Random, age_days: float) -> str:
    for limit, mix in STATE_MIX:
        if age_days < limit:
            return rnd.choices(list(mix), weights=list(mix.values()))[0]
    raise AssertionError


def _event_date(rnd: random.Random, category, submitted_on: dt.date, late: bool) -> dt.date | None:
    from submissions.models import DeadlineRule

    if category.deadline_rule == DeadlineRule.EVENT_DAYS:
        days = category.deadline_days
        return submitted_on - dt.timedelta(days=days + rnd.randint(1, 6) if late else rnd.randint(0, days))
    if category.deadline_rule == DeadlineRule.MONTHLY:
        if late:  # a month's progress reported after the 10th of the month after next
            return (submitted_on.replace(day=1) - dt.timedelta(days=35)).replace(day=rnd.randint(1, 28))
        return submitted_on - dt.timedelta(days=rnd.randint(0, submitted_on.day - 1))
    return submitted_on - dt.timedelta(days=rnd.randint(0, 10)) if rnd.random() < 0.6 else None


@dataclass
class Plan:
    """One item to create and what goes with it."""

    item: object
    themes: list[str]
    topics: list = field(default_factory=list)
    reader: object = None
    plain: tuple[str, str] = ("", "")


def _plan_batch(rnd, texts, world: World, moments: list[tuple[str, dt.datetime]], now, recent: deque) -> list[Plan]:
    from submissions import sealing
    from submissions.models import Confidentiality, Item, ItemForm
    from submissions.timeliness import deadline_for, is_late

    plans = []
    fingerprint_since = now - dt.timedelta(days=FINGERPRINT_DAYS)
    for kind, moment in moments:
        unit = rnd.choices(world.units, weights=world.weights)[0]
        office = unit.parent
        themes = rnd.sample(THEME_TOPICS, rnd.choice((1, 1, 1, 2)))
        late = kind == "submitted" and rnd.random() < LATE_SHARE
        if late:
            category = rnd.choice(world.timed)
        elif themes[0] == "灾害" and rnd.random() < 0.5:
            category = rnd.choice([c for c in world.categories if c.code in ("emergency", "major")])
        else:
            category = rnd.choices(world.categories, weights=world.category_weights)[0]
        brief = rnd.random() < BRIEF_SHARE
        if recent and moment >= fingerprint_since and rnd.random() < NEAR_DUPLICATE_SHARE:
            # The same event reported by a second unit: another unit's text, lightly reworded.
            other_unit, title, body = rnd.choice(recent)
            title = title.replace(other_unit, unit.display_name)
            paras = body.replace(other_unit, unit.display_name).split("\n")
            if len(paras) > 3:
                paras.pop(rnd.randrange(1, len(paras) - 1))
            body = "\n".join(paras)
        else:
            title, body = texts.item(unit.display_name, themes, brief=brief)
            recent.append((unit.display_name, title, body))
        roll = rnd.random()
        if roll < SENSITIVE_SHARE and office.pk in world.leader:
            confidentiality = Confidentiality.SENSITIVE
        elif roll < SENSITIVE_SHARE + PUBLIC_SHARE:
            confidentiality = Confidentiality.PUBLIC
        else:
            confidentiality = Confidentiality.INTERNAL
        sensitive = confidentiality == Confidentiality.SENSITIVE
        stored = (sealing.seal(title), sealing.seal(body)) if sensitive else (title, body)
        fields = dict(
            unit=unit,
            office=office,
            author=world.staff[unit.pk],
            title=stored[0],
            body=stored[1],
            category=category,
            form=ItemForm.BRIEF if brief else ItemForm.FULL,
            writers=texts.person() + ("、" + texts.person() if rnd.random() < 0.3 else ""),
            phone=f"0{rnd.choice((871, 874, 877, 875, 870, 888, 879, 883, 878, 873, 876, 691, 872, 692, 886, 887))}-"
            f"{rnd.randint(2000000, 8999999)}",
            signature=unit.name,
            confidentiality=confidentiality,
        )
        if kind == "submitted":
            state = _pick_state(rnd, (now - moment).total_seconds() / 86400)
            local_day = moment.astimezone(now.tzinfo).date()
            event_date = _event_date(rnd, category, local_day, late)
            deadline = deadline_for(category.deadline_rule, category.deadline_days, event_date)
            fields.update(
                state=state,
                version=3 + (state in EDITOR_ACTS),
                event_date=event_date,
                signed_off_by=world.approver[unit.pk],
                signed_off_at=moment,
                first_submitted_at=moment,
                submitted_at=moment,
                deadline=deadline,
                is_late=is_late(deadline, local_day),
                created_at=moment - dt.timedelta(minutes=rnd.randint(30, 72 * 60)),
            )
        else:
            fields.update(state=kind, version=1 if kind == "draft" else 2, created_at=moment)
        plan = Plan(Item(**fields), themes, plain=(title, body))
        if office.pk in world.topics and rnd.random() < TOPIC_SHARE:
            plan.topics = [world.topics[office.pk][t] for t in themes]
        if sensitive:
            plan.reader = world.leader[office.pk]
        plans.append(plan)
    return plans


def _write_batch(rnd, world: World, plans: list[Plan], now) -> dict[str, int]:
    from django.db import transaction

    from submissions import fingerprint
    from submissions.models import Fingerprint, Item, ItemEvent, ItemVersion, State, VersionKind

    fingerprint_since = now - dt.timedelta(days=FINGERPRINT_DAYS)
    with transaction.atomic():
        Item.objects.bulk_create([p.item for p in plans], batch_size=1000)
        events, versions, topics, readers, prints = [], [], [], [], []
        for p in plans:
            item = p.item
            if item.state == State.DRAFT:
                events.append(
                    ItemEvent(
                        item=item,
                        action="create",
                        to_state=State.DRAFT,
                        actor=item.author,
                        actor_unit_id=item.unit_id,
                        at=item.created_at,
                    )
                )
                continue
            if item.state == State.PENDING_SIGNOFF:
                events.append(
                    ItemEvent(
                        item=item,
                        action="send_for_signoff",
                        from_state=State.DRAFT,
                        to_state=State.PENDING_SIGNOFF,
                        actor=item.author,
                        actor_unit_id=item.unit_id,
                        at=item.created_at,
                    )
                )
                continue
            approver = world.approver[item.unit_id]
            events.append(
                ItemEvent(
                    item=item,
                    action="sign_off",
                    from_state=State.PENDING_SIGNOFF,
                    to_state=State.SUBMITTED,
                    actor=approver,
                    actor_unit_id=item.unit_id,
                    at=item.submitted_at,
                )
            )
            act = EDITOR_ACTS.get(item.state)
            if act:
                at = min(now, item.submitted_at + dt.timedelta(minutes=rnd.randint(20, 48 * 60)))
                comment = rnd.choice(EDITOR_COMMENTS[act]) if act in EDITOR_COMMENTS else ""
                events.append(
                    ItemEvent(
                        item=item,
                        action=act,
                        from_state=State.SUBMITTED,
                        to_state=item.state,
                        actor=world.editor[item.office_id],
                        actor_unit_id=item.office_id,
                        at=at,
                        comment=comment,
                    )
                )
            versions.append(
                ItemVersion(
                    item=item,
                    number=1,
                    kind=VersionKind.WRITER,
                    title=item.title,
                    body=item.body,
                    created_by=approver,
                    created_at=item.submitted_at,
                    note="首次报送",
                )
            )
            if item.submitted_at >= fingerprint_since and not item.is_sensitive:
                keys = set(fingerprint.band_keys(f"{p.plain[0]}\n{p.plain[1]}"))
                prints.extend(Fingerprint(item=item, key=k) for k in keys)
            topics.extend(Item.topics.through(item_id=item.pk, topic_id=t.pk) for t in p.topics)
            if p.reader is not None:
                readers.append(Item.named_readers.through(item_id=item.pk, user_id=p.reader.pk))
        ItemEvent.objects.bulk_create(events, batch_size=2000)
        ItemVersion.objects.bulk_create(versions, batch_size=1000)
        Item.topics.through.objects.bulk_create(topics, batch_size=5000)
        Item.named_readers.through.objects.bulk_create(readers, batch_size=5000)
        Fingerprint.objects.bulk_create(prints, batch_size=5000)
    return {"events": len(events), "versions": len(versions), "fingerprints": len(prints)}


def vacuum_analyze(*, log=print) -> None:
    from django.db import connection

    started = time.perf_counter()
    tables = [
        "submissions_item",
        "submissions_itemevent",
        "submissions_itemversion",
        "submissions_fingerprint",
        "submissions_item_topics",
        "submissions_item_named_readers",
        "units_user",
        "units_rolegrant",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        else:
            cursor.execute("ANALYZE")
    log(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")


@dataclass
class SeedReport:
    total: int
    created: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def seed(total: int, *, password: str | None = None, batch: int = 2000, log=print) -> SeedReport:
    """Top the item table up to `total` items; a no-op when it already holds that many."""
    from django.utils import timezone

    from bench.texts import TextMaker
    from submissions.models import Item

    started = time.perf_counter()
    world = prepare(password, log=log)
    existing = Item.objects.count()
    need = total - existing
    if need <= 0:
        log(f"{existing:,} items already, nothing to add")
        return SeedReport(existing, 0, 0.0)
    rnd = random.Random(f"govinfo-bench-{existing}")
    texts = TextMaker(rnd)
    now = timezone.now().replace(microsecond=0)
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    moments = []
    for _ in range(need):
        roll = rnd.random()
        if roll < DRAFT_SHARE + PENDING_SHARE:
            kind = "draft" if roll < DRAFT_SHARE else "pending_signoff"
            moments.append((kind, now - dt.timedelta(minutes=rnd.randint(5, 60 * 24 * 60))))
            continue
        moment = _office_hours(rnd, today - dt.timedelta(days=rnd.randint(0, 365 * YEARS - 1)), tz)
        while moment > now:
            moment -= dt.timedelta(days=1)
        moments.append(("submitted", moment))
    moments.sort(key=lambda m: m[1])  # ids grow with time, as in a real table
    log(f"seeding {need:,} items ({existing:,} → {total:,}) in batches of {batch:,}")
    recent: deque = deque(maxlen=200)
    counts = {"events": 0, "versions": 0, "fingerprints": 0}
    seed_started = time.perf_counter()
    for start in range(0, need, batch):
        plans = _plan_batch(rnd, texts, world, moments[start : start + batch], now, recent)
        for key, n in _write_batch(rnd, world, plans, now).items():
            counts[key] += n
        done = min(start + batch, need)
        elapsed = time.perf_counter() - seed_started
        if done == need or (start // batch) % 10 == 9:
            log(f"  {done:>9,} / {need:,} items  {elapsed:6.1f} s  {done / elapsed:6.0f} items/s")
    seeded = time.perf_counter() - seed_started
    log(
        f"seeded {need:,} items with {counts['events']:,} events, {counts['versions']:,} versions and "
        f"{counts['fingerprints']:,} fingerprints in {seeded:.1f} s ({need / seeded:,.0f} items/s)"
    )
    vacuum_analyze(log=log)
    return SeedReport(total, need, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, required=True, help="total number of items wanted")
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--password", default=None, help="password of the demo logins (default: DEMO_PASSWORD)")
    parser.add_argument("--force", action="store_true", help="seed a database whose name lacks 'bench'")
    args = parser.parse_args(argv)
    setup_django()
    check_database(force=args.force)
    report = seed(args.items, password=args.password, batch=args.batch)
    print(
        f"done: {report.total:,} items, {report.created:,} added in {report.seconds:.1f} s ({report.rate:,.0f} items/s)"
    )


if __name__ == "__main__":
    main()
