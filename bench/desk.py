"""Server time of the editor's desk and of an item page, against a reference page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govinfo_bench .venv/bin/python bench/desk.py

For each volume (default 20,000 then 200,000 items: 10x growth) the database is topped
up with bench/seed_items.py, then the province office's editor (`prov_editor`, who
receives the items of the 16 cities and the provincial departments) requests every page
through django.test.Client: full middleware, session, view, template; no network. After
warm-up rounds, each round requests every page once, so drift hits all pages alike.
Query counts and SQL time come from one more request per page under
CaptureQueriesContext (capturing slows a request, so timed requests do not capture).

Before topping up past a volume, the database is copied to `<name>_<volume>`
(CREATE DATABASE … TEMPLATE), so a later run measures that volume without seeding.
Measuring waits for a quiet machine (1-minute load average under --quiet-load).

Target (the issue): every page's median within 2x of the reference page, and flat as
the item count grows 10x (median at the largest volume / median at the smallest ≤ 1.2,
the same number of queries).
"""

import argparse
import copy
import datetime as dt
import os
import platform
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WITHIN = 2.0  # × reference median
FLAT = 1.2  # largest volume median / smallest volume median (issue 18)
APPS = ("govinfo", "units", "submissions", "publications", "scoring")
SMOKE_ITEMS = 300  # enough for every page to have rows: 30 recent submitted items at the province


@dataclass
class Page:
    name: str
    urls: list[str]  # requested in turn: the item page visits a different item each time
    before: Callable[[], None] | None = None  # run before each request, untimed
    user: str = "prov_editor"  # who requests it (signed in past the second factor)

    def url(self, i: int) -> str:
        return self.urls[i % len(self.urls)]


@dataclass
class Result:
    page: str
    times: list[float] = field(default_factory=list)  # ms
    queries: int = 0
    sql_ms: float = 0.0
    slowest: list[tuple[float, str]] = field(default_factory=list)
    pauses: int = 0  # rounds delayed because the machine was busy

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times, n=20, method="inclusive")[18]


def pages(args) -> tuple[list[Page], dict[str, str]]:
    """The pages to measure and notes on what they show (hits, duplicate candidates)."""
    from django.db.models import Count, Q

    from submissions import access, fingerprint, queries
    from submissions.models import Category, Confidentiality, Fingerprint, Item, State
    from units.models import Unit, User

    editor = User.objects.get(username="prov_editor")
    desk = access.desk_items(editor)
    unit = Unit.objects.get(name=args.unit)
    category = Category.objects.get(code=args.category)
    recent = list(
        Item.objects.filter(office_id=editor.unit_id, state=State.SUBMITTED)
        .exclude(confidentiality=Confidentiality.SENSITIVE)
        .order_by("-submitted_at")[: args.requests]
    )
    notes = {
        "desk default": f"{desk.count():,} items on the desk",
        "desk state+late": f"{desk.filter(state=State.SUBMITTED, is_late=True).count():,} match",
        "desk unit+category": f"{desk.filter(Q(category=category) | Q(category__parent=category), unit=unit).count():,}"
        " match",
        "desk waiting": f"{desk.filter(state__in=(State.SUBMITTED, State.IN_REVIEW)).count():,} waiting",
    }
    for word in (args.q1, args.q2, args.q4):
        hits = desk.filter(Q(title__contains=word) | Q(body__contains=word)).count()
        notes[f"desk search “{word}”"] = f"{hits:,} match"
    candidates = []
    for item in recent[:10]:
        keys = fingerprint.band_keys(f"{item.plain_title}\n{item.plain_body}")
        since = item.submitted_at - dt.timedelta(days=90)
        candidates.append(
            Fingerprint.objects.filter(key__in=keys, item__submitted_at__gte=since)
            .exclude(item_id=item.pk)
            .values("item_id")
            .distinct()
            .count()
        )
    notes["item page"] = (
        f"{len(recent)} recent submitted items in turn; duplicate candidates per item: "
        f"median {statistics.median(candidates or [0]):.0f}, max {max(candidates or [0])} (capped at 50 by the app)"
    )
    moving = desk.filter(state=State.SUBMITTED).exclude(pk__in=[i.pk for i in recent]).order_by("-submitted_at")[0]

    def move() -> None:
        # A real move: the item's state changes (the count trigger writes its rows) and
        # the desk's version is bumped, as an editor's act does, between two requests.
        moving.state = State.IN_REVIEW if moving.state == State.SUBMITTED else State.SUBMITTED
        Item.objects.filter(pk=moving.pk).update(state=moving.state)
        queries.bump_desk(editor.unit_id)

    notes["desk after a move"] = "one item moves (submitted ⇄ in review) before each request, as an editor's act does"
    extra = []
    # "My items" of the writer with the most items; the issue page of the office's latest signed issue.
    writer_id = (
        Item.objects.filter(author__username__startswith="bench_").values("author_id").annotate(n=Count("*"))
        .order_by("-n")[0]["author_id"]
    )  # fmt: skip
    writer = User.objects.get(pk=writer_id)
    extra.append(Page("my items", ["/items/"], user=writer.username))
    extra.append(Page(f"my items search “{args.q2}”", [f"/items/?q={quote(args.q2)}"], user=writer.username))
    notes["my items"] = f"{writer.username}: {access.unit_items(writer).count():,} items of {writer.unit.name}"
    from publications.models import Issue, IssueState

    issue = (
        Issue.objects.filter(publication__office_id=editor.unit_id, state=IssueState.SIGNED)
        .order_by("-signed_at").first()
    )  # fmt: skip
    if issue is not None:
        extra.append(Page("issue page", [f"/issues/{issue.pk}/"]))
        notes["issue page"] = f"{issue} ({issue.adoptions.count()} adoptions), as the office's editor"
    return [
        Page("reference", ["/_bench/reference/"]),
        Page("desk default", ["/desk/"]),
        Page("desk after a move", ["/desk/"], before=move),
        Page("desk state+late", [f"/desk/?state={State.SUBMITTED}&late=1"]),
        Page("desk unit+category", [f"/desk/?unit={unit.pk}&category={category.pk}"]),
        Page("desk waiting", ["/desk/?view=waiting"]),
        Page(f"desk search “{args.q1}”", [f"/desk/?q={quote(args.q1)}"]),
        Page(f"desk search “{args.q2}”", [f"/desk/?q={quote(args.q2)}"]),
        Page(f"desk search “{args.q4}”", [f"/desk/?q={quote(args.q4)}"]),
        Page("item page", [f"/items/{item.pk}/" for item in recent]),
        *extra,
    ], notes


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
    """The site as production serves it (DEBUG off), plus the reference page."""
    from django.conf import settings
    from django.test.utils import override_settings

    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], BENCH / "templates"]
    return override_settings(
        ROOT_URLCONF="bench.urls",
        DEBUG=False,
        TEMPLATES=templates,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
    )


def signed_in(username: str):
    """A test client signed in as this person, as a password login and (for an editor)
    the authenticator's code would leave it."""
    from bench.clients import signed_in_client
    from units.models import User

    return signed_in_client(User.objects.get(username=username))


def measure(page_list: list[Page], *, requests: int, warmup: int, pause=lambda: False) -> dict[str, Result]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {p.name: Result(p.name) for p in page_list}
    with bench_settings():
        clients = {username: signed_in(username) for username in {p.user for p in page_list}}
        for round_no in range(warmup + requests):
            if pause():
                results["reference"].pauses += 1
            for page in page_list:
                url = page.url(round_no)
                if page.before:
                    page.before()
                started = time.perf_counter()
                response = clients[page.user].get(url)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{page.name}: {url} answered {response.status_code}")
                if round_no >= warmup:
                    results[page.name].times.append(elapsed)
        for page in page_list:
            if page.before:
                page.before()
            timer = QueryTimer()
            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
                clients[page.user].get(page.url(0))
            result = results[page.name]
            result.queries = len(ctx.captured_queries)
            timed = list(zip(timer.ms, (q["sql"] for q in ctx.captured_queries), strict=True))
            result.sql_ms = sum(t for t, _ in timed)
            result.slowest = sorted(timed, reverse=True)[:3]
    return results


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


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


def table(out: Report, volume: int, results: dict[str, Result], notes: dict[str, str]) -> None:
    ref = results["reference"].median
    out(f"\n== {volume:,} items ==")
    out(f"{cell('page', 24)} {'median ms':>9} {'p95 ms':>8} {'queries':>7} {'sql ms':>7} {'× ref':>6}  notes")
    for r in results.values():
        out(
            f"{cell(r.page, 24)} {r.median:>9.1f} {r.p95:>8.1f} {r.queries:>7} {r.sql_ms:>7.1f} {r.median / ref:>6.2f}"
            f"  {notes.get(r.page, '')}"
        )


def verdicts(out: Report, runs: list[tuple[int, dict[str, Result]]]) -> None:
    small_volume, small = runs[0]
    large_volume, large = runs[-1]
    out(f"\n== verdicts (within {WITHIN:g}x of the reference; flat: {large_volume:,} / {small_volume:,} ≤ {FLAT:g}) ==")
    for name in large:
        if name == "reference":
            continue
        ratios = [results[name].median / results["reference"].median for _, results in runs]
        within = all(x <= WITHIN for x in ratios)
        growth = large[name].median / small[name].median
        same_queries = large[name].queries == small[name].queries
        flat = growth <= FLAT and same_queries
        out(
            f"{cell(name, 24)} within {WITHIN:g}x: {'PASS' if within else 'FAIL'} "
            f"({' / '.join(f'{x:.2f}x' for x in ratios)})   "
            f"flat: {'PASS' if flat else 'FAIL'} ({growth:.2f}x, queries {small[name].queries} → {large[name].queries})"
        )


def slow_queries(out: Report, volume: int, results: dict[str, Result], *, plans: bool) -> None:
    out(f"\n== slowest queries at {volume:,} items ==")
    for r in results.values():
        for ms, sql in r.slowest[:2]:
            out(f"{cell(r.page, 24)} {ms:7.1f} ms  {' '.join(sql.split())[:300]}")
        if plans and r.page != "reference" and r.slowest:
            out(explain(r.slowest[0][1]))


def use_database(name: str) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def database_exists(name: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def copy_database(source: str, target: str) -> None:
    """CREATE DATABASE target TEMPLATE source (replacing target); needs no one connected to source."""
    from django.db import connection

    use_database("postgres")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    use_database(source)


def pause_while_busy(args) -> bool:
    """Between rounds: while something else loads the machine (our own client and
    PostgreSQL backend account for about one runnable process), wait. True if it waited."""
    limit = args.quiet_load + 1.2
    if args.quiet_load <= 0 or os.getloadavg()[0] < limit:
        return False
    started = time.monotonic()
    while os.getloadavg()[0] >= limit and time.monotonic() - started < args.quiet_wait:
        time.sleep(2)
    return True


def wait_for_quiet(out: Report, threshold: float, patience: float) -> None:
    """Measure on a quiet machine: wait (up to `patience` seconds) for the 1-minute load
    average to fall under `threshold`; tests or another benchmark running alongside
    would otherwise take CPU from some pages and not others."""
    if threshold <= 0:
        return
    started = time.monotonic()
    while (load := os.getloadavg()[0]) >= threshold:
        if time.monotonic() - started > patience:
            out(f"load average still {load:.2f} after {patience:.0f} s: measuring anyway, figures are noisy")
            return
        time.sleep(5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, action="append", help="volume to measure; repeat (default 20000 200000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and volume")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--q1", default="旱", help="a one-character search")
    parser.add_argument("--q2", default="瑞丽", help="a two-character search")
    parser.add_argument("--q4", default="森林防火", help="a four-character search")
    parser.add_argument("--unit", default="曲靖市人民政府办公室", help="unit of the filtered desk")
    parser.add_argument("--category", default="exchange", help="top-level category code of the filtered desk")
    parser.add_argument("--quiet-load", type=float, default=0.8, help="wait for a 1-min load average below this")
    parser.add_argument("--quiet-wait", type=float, default=900, help="seconds to wait for it at most")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of every page")
    parser.add_argument("--force", action="store_true", help="use a database whose name lacks 'bench'")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"{SMOKE_ITEMS} items, two rounds, no waiting and no results file: proves the script runs "
        "(tests/test_bench.py); the figures mean nothing",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.items, args.requests, args.warmup, args.quiet_load = [SMOKE_ITEMS], 2, 0, 0
    volumes = sorted(set(args.items or [20_000, 200_000]))

    sys.path.insert(0, str(ROOT))
    from bench import seed_items

    seed_items.setup_django()
    seed_items.check_database(force=args.force)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from submissions.models import Item

    out = Report()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0].split()[0]
    # The app changes between runs; say which state of it these figures describe.
    code = max((p for app in APPS for p in (ROOT / app).rglob("*.py")), key=lambda p: p.stat().st_mtime)
    code_time = dt.datetime.fromtimestamp(code.stat().st_mtime, tz=dt.UTC)
    out(
        f"govinfo desk benchmark · {timezone.now():%Y-%m-%d %H:%M} UTC · PostgreSQL {pg} · Python "
        f"{platform.python_version()} · {os.cpu_count()} CPUs · {args.requests} requests after {args.warmup} warm-up"
        f" rounds · app code as of {code_time:%Y-%m-%d %H:%M} UTC ({code.relative_to(ROOT)})"
    )
    call_command("migrate", interactive=False, verbosity=0)
    base = connection.settings_dict["NAME"]
    runs = []
    for volume in volumes:
        use_database(base)
        existing = Item.objects.count()
        copy = f"{base}_{volume}"
        if existing > volume:
            # Measured before: a copy of the database at that volume was kept.
            if not database_exists(copy):
                out(f"\n{existing:,} items already (> {volume:,}) and no copy {copy}: skipped; drop {base} to measure")
                continue
            use_database(copy)
            call_command("migrate", interactive=False, verbosity=0)
            out(f"\nmeasuring the copy kept at {volume:,} items: {copy} ({Item.objects.count():,} items)")
        else:
            report = seed_items.seed(volume, log=out)
            if report.created:
                out(f"seeding: {report.created:,} items in {report.seconds:.0f} s ({report.rate:,.0f} items/s)")
            if volume != volumes[-1]:
                copy_database(base, copy)
                out(f"kept a copy at {volume:,} items as {copy}, so that later runs measure it without seeding")
                use_database(base)
        page_list, notes = pages(args)
        wait_for_quiet(out, args.quiet_load, args.quiet_wait)
        load_before = os.getloadavg()[0]
        results = measure(page_list, requests=args.requests, warmup=args.warmup, pause=lambda: pause_while_busy(args))
        table(out, volume, results, notes)
        # Other work on the machine skews every page alike; the reference page shows how much.
        out(
            f"load average (1 min) before / after measuring: {load_before:.2f} / {os.getloadavg()[0]:.2f}; "
            f"rounds delayed for load: {results['reference'].pauses}"
        )
        slow_queries(out, volume, results, plans=args.explain)
        runs.append((volume, results))
    if runs:
        out("\n== summary ==")
        for volume, results in runs:
            table(out, volume, results, {})
        verdicts(out, runs)
    if args.smoke:
        print("\nsmoke run: every page answered 200; figures not written")
        return
    results_dir = BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"desk-{dt.date.today():%Y-%m-%d}.txt"
    path.write_text("\n".join(out.lines) + "\n", encoding="utf-8")
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
