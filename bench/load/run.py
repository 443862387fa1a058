"""Load test against the real stack: PostgreSQL, gunicorn, a Celery worker and beat over Redis.

    .venv/bin/python bench/load/run.py                      # 40 users, 3 min measured
    .venv/bin/python bench/load/run.py --users 20,40,80 --time 120

What it does, in order:

1. The database `govinfo_load` (dropped and created by this script), copied from a
   template `govinfo_load_seed` that the first run fills: migrate, the demo province,
   ~20,000 items (bench/seed_items.py), logins for a working day and 20 signed issues
   (bench/load/prepare.py). `--reseed` builds the template again.
2. collectstatic, then gunicorn (DEBUG off) on 127.0.0.1:8731, a Celery worker and beat
   over Redis db 8 (cache in db 9), all with GOVINFO_VAR_DIR=var/bench-load.
3. For each user count: locust headless (bench/load/locustfile.py), users ramped at
   `--spawn-rate` per second; the first `--warmup` seconds after the ramp-up (everyone's
   login, cold caches) are not counted, then `--time` seconds are measured. Prints
   throughput, p50/p95/p99 per page and the errors, and a verdict against p95 < 300 ms
   on every page with no errors. It first waits for a quiet machine (load average).
4. Stops everything it started. The database is kept for a look afterwards.

locust comes from bench/requirements.txt, installed into var/bench-venv on first use
(not part of the app's requirements). Results: bench/results/.

    .venv/bin/python bench/load/run.py --smoke

proves the load test still runs (tests/test_bench.py): a database of its own,
govinfo_load_smoke (or with --in-place the one DATABASE_URL names: the test's), filled
with a few hundred items; a redis-server of its own and gunicorn on free ports; one
simulated person of each role going round every page of the mix until every page has
answered (at most 150 s). Exits non-zero when a request failed (an error status, a page
that ended on the login form), a task raised, or a page of the mix never answered. No
figures are judged, no results file is written.

The measured window starts once every simulated person has logged in (a deliberately
slow password hash; on a busy machine 40 at once take minutes) and `--warmup` seconds
more have passed, and lasts `--time` seconds.
"""

import argparse
import csv
import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import ROOT, OwnRedis, Stack, create_database, database_exists, free_port, log  # noqa: E402

VAR = ROOT / "var" / "bench-load"
BENCH_VENV = ROOT / "var" / "bench-venv"
DATABASE = "govinfo_load"
TEMPLATE = "govinfo_load_seed"
P95_TARGET = 300  # ms
MIN_SAMPLES = 20  # a p95 of fewer requests is just the slowest one: shown, not judged
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
LOGIN_PATIENCE = 300  # s for everyone to log in before the warm-up starts (locustfile)
SMOKE_DATABASE = "govinfo_load_smoke"
SMOKE_ITEMS = 300
SMOKE_SECONDS = 150  # at most: the run ends once every page of the mix has answered


def locust_binary() -> Path:
    binary = BENCH_VENV / "bin" / "locust"
    if not binary.exists():
        log(f"installing locust into {BENCH_VENV} (bench/requirements.txt)")
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        pip = str(BENCH_VENV / "bin" / "pip")
        subprocess.run([pip, "install", "-q", "-r", str(ROOT / "bench" / "requirements.txt")], check=True)
    return binary


def prepare_database(items: int, *, reseed: bool) -> None:
    accounts = VAR / "accounts.json"
    if reseed or not database_exists(TEMPLATE) or not accounts.exists():
        log(f"building the template database {TEMPLATE} ({items:,} items; takes a few minutes)")
        create_database(TEMPLATE)
        builder = Stack(database=TEMPLATE, var_dir=VAR)
        builder.python("bench/load/prepare.py", "--items", str(items), "--accounts", str(accounts))
    log(f"database {DATABASE} from template {TEMPLATE}")
    create_database(DATABASE, template=TEMPLATE)


def wait_for_quiet(threshold: float, patience: float, out) -> None:
    """The machine is shared: wait for other work (tests, benchmarks) to settle first."""
    started = time.monotonic()
    while (load := os.getloadavg()[0]) >= threshold:
        if time.monotonic() - started > patience:
            out(f"load average still {load:.2f} after {patience:.0f} s: running anyway, figures are noisy")
            return
        time.sleep(5)


def login_cost(stack: Stack) -> str:
    """A password login costs one PBKDF2 hash (Django's default iterations): timed alone,
    since it is paid once a day per person and would otherwise dominate a short run."""
    import json

    import requests
    import web

    account = json.loads((VAR / "accounts.json").read_text("utf-8"))
    times = []
    for writer in account["writer"][:5]:
        s = requests.Session()
        started = time.perf_counter()
        web.login(s, stack.url, writer["username"], account["password"])
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return f"password login (GET form + POST + redirect), alone: median {times[len(times) // 2]:.0f} ms of 5"


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_stats(prefix: Path) -> tuple[list[dict], list[dict], list[dict]]:
    """locust's statistics, failed requests and exceptions raised in tasks (a page the mix
    could not read: a form without its fields, a missing CSRF token)."""
    stats = _rows(Path(f"{prefix}_stats.csv"))
    if not stats:
        output = Path(f"{prefix}.log")
        tail = output.read_text("utf-8", "replace")[-3000:] if output.exists() else ""
        raise RuntimeError(f"locust wrote no statistics ({prefix}_stats.csv); its output ends:\n{tail}")
    return stats, _rows(Path(f"{prefix}_failures.csv")), _rows(Path(f"{prefix}_exceptions.csv"))


def mix_pages() -> list[str]:
    """The names of every page of the mix, as the locustfile gives them to get() and post()."""
    text = LOCUSTFILE.read_text("utf-8")
    return list(dict.fromkeys(re.findall(r'self\.(?:get|post)\(\s*f?"[^"]*",\s*"([^"]+)"', text)))


def report(users: int, seconds: int, stats: list[dict], failures: list[dict], exceptions: list[dict], out) -> dict:
    rows = [r for r in stats if r["Name"] != "Aggregated" and int(r["Request Count"])]
    total = next(r for r in stats if r["Name"] == "Aggregated")
    # Logging in is paid once a day (a deliberately slow password hash): shown, not judged.
    pages = [
        r
        for r in rows
        if r["Type"] not in ("LOGIN", "CHECK")
        and not r["Name"].startswith("login")
        and int(r["Request Count"]) >= MIN_SAMPLES
    ]
    out(f"\n== {users} users, {seconds} s measured ==")
    out(
        f"{'request':<26} {'type':<5} {'count':>6} {'fail':>5} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}"
    )
    for r in sorted(rows, key=lambda r: -int(r["Request Count"])):
        out(
            f"{r['Name']:<26} {r['Type']:<5} {r['Request Count']:>6} {r['Failure Count']:>5} "
            f"{float(r['Requests/s']):>6.2f} {r['50%']:>6} {r['95%']:>6} {r['99%']:>6} "
            f"{float(r['Max Response Time']):>6.0f}"
        )
    out(
        f"{'all requests':<26} {'':<5} {total['Request Count']:>6} {total['Failure Count']:>5} "
        f"{float(total['Requests/s']):>6.2f} {total['50%']:>6} {total['95%']:>6} {total['99%']:>6} "
        f"{float(total['Max Response Time']):>6.0f}"
    )
    for f in failures:
        out(f"  error × {f['Occurrences']}: {f['Method']} {f['Name']}: {f['Error'][:200]}")
    for e in exceptions:
        out(f"  exception in a task × {e['Count']}: {e['Message'][:200]}\n{e['Traceback'][-1500:]}")
    worst = max(pages, key=lambda r: int(r["95%"]), default=None)
    errors = sum(int(r["Failure Count"]) for r in rows) + sum(int(e["Count"]) for e in exceptions)
    ok = errors == 0 and worst is not None and int(worst["95%"]) < P95_TARGET
    out(
        f"verdict: {'PASS' if ok else 'FAIL'} — {errors} errors; slowest p95 {worst['95%'] if worst else '-'} ms "
        f"({worst['Name'] if worst else '-'}); target p95 < {P95_TARGET} ms on every page with "
        f"{MIN_SAMPLES}+ requests, no errors"
    )
    return {"users": users, "ok": ok, "rps": float(total["Requests/s"]), "errors": errors,
            "worst": (worst["Name"], int(worst["95%"])) if worst else ("-", 0)}  # fmt: skip


def smoke_problems(stats: list[dict], exceptions: list[dict], pages: list[str]) -> list[str]:
    """Why a smoke run fails, if it does: a request that failed (an error status, a page
    that ended on the login form), an exception raised in a task, a page of the mix that
    never answered (its step was never reached, or every request of it failed)."""
    rows = [r for r in stats if r["Name"] != "Aggregated"]
    problems = []
    if failed := sum(int(r["Failure Count"]) for r in rows):
        problems.append(f"{failed} failed requests (listed above)")
    if raised := sum(int(e["Count"]) for e in exceptions):
        problems.append(f"{raised} exceptions in tasks (listed above)")
    answered = {r["Name"] for r in rows if int(r["Request Count"]) > int(r["Failure Count"])}
    if missing := [page for page in pages if page not in answered]:
        problems.append(f"never answered: {'、'.join(missing)}")
    return problems


def run_locust(locust: Path, stack: Stack, prefix: Path, env: dict, *, users: int, spawn_rate: float,
               seconds: int) -> None:  # fmt: skip
    for stale in prefix.parent.glob(f"{prefix.name}_*.csv"):
        stale.unlink()  # a run that wrote nothing must not be judged by the last one's files
    with open(f"{prefix}.log", "wb") as output:  # its own summary table: report() prints ours
        subprocess.run(
            [str(locust), "-f", str(LOCUSTFILE), "--headless", "--host", stack.url, "-u", str(users),
             "-r", str(spawn_rate), "-t", f"{seconds}s", "--csv", str(prefix), "--only-summary",
             "--loglevel", "WARNING", "--stop-timeout", "10"],
            cwd=ROOT, env=env, check=False, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def smoke(*, in_place: bool) -> int:
    """Tiny volume, one short round on the real stack; 0 when every page of the mix
    answered and nothing failed (the figures are printed, never judged)."""
    locust = locust_binary()
    var = Path(os.environ.get("GOVINFO_VAR_DIR") or ROOT / "var" / "bench-load-smoke")
    url = os.environ.get("DATABASE_URL", "")
    if in_place:
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("--in-place needs DATABASE_URL naming a PostgreSQL database")
        database = url.rsplit("/", 1)[-1]
        log(f"smoke run in the database of DATABASE_URL ({database}), filled in place")
    else:
        database, url = SMOKE_DATABASE, None
        log(f"smoke run in a database of its own: {database}")
        create_database(database)
    with OwnRedis(var / "redis") as redis:
        stack = Stack(database=database, database_url=url, var_dir=var, port=free_port(), redis=redis.url,
                      redis_db=0)  # fmt: skip
        stack.manage("migrate", "--noinput", "-v", "0")
        accounts = var / "accounts.json"
        stack.python("bench/load/prepare.py", "--items", str(SMOKE_ITEMS), "--accounts", str(accounts), "--smoke")
        stack.manage("collectstatic", "--noinput", "-v", "0")
        try:
            stack.start_web(workers=2)
            stack.start_worker(concurrency=1)
            stack.start_beat()
            stack.wait_worker()
            log(f"stack up at {stack.url}; locust: one person of each role until every page answered "
                f"(at most {SMOKE_SECONDS} s)")  # fmt: skip
            prefix = var / "locust-smoke"
            env = dict(os.environ, LOAD_ACCOUNTS=str(accounts), LOAD_SMOKE="1", LOAD_WARMUP="0",
                       LOAD_SMOKE_PAGES="|".join(mix_pages()))  # fmt: skip
            started = time.monotonic()
            run_locust(locust, stack, prefix, env, users=5, spawn_rate=5, seconds=SMOKE_SECONDS)
            seconds = round(time.monotonic() - started)
        finally:
            stack.stop_all()
    stats, failures, exceptions = read_stats(prefix)
    report(5, seconds, stats, failures, exceptions, print)
    problems = smoke_problems(stats, exceptions, mix_pages())
    if problems:
        web_log = var / "logs" / "web.log"
        if web_log.exists():  # the server's side of it: tracebacks of 500s
            print(f"--- end of {web_log} ---\n{web_log.read_text('utf-8', 'replace')[-4000:]}\n---")
        for problem in problems:  # last, where a caller's short excerpt of the output shows it
            print(f"smoke run FAILED: {problem}")
        return 1
    print("\nsmoke run: every page of the mix answered 200; figures not written")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="40", help="comma-separated user counts, one run each")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per second")
    parser.add_argument("--time", type=int, default=180, help="seconds measured in each run")
    parser.add_argument("--warmup", type=int, default=30, help="seconds after the ramp-up not counted")
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--reseed", action="store_true", help="build the template database again")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread if > 1)")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--quiet-load", type=float, default=1.0, help="wait for a 1-min load average below this")
    parser.add_argument("--quiet-wait", type=float, default=600, help="seconds to wait for it at most")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"{SMOKE_ITEMS} items, one person per role until every page answered (at most {SMOKE_SECONDS} s): "
        "proves the load test runs (tests/test_bench.py); the figures mean nothing",
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="with --smoke: fill the database DATABASE_URL names (a test's), not govinfo_load_smoke",
    )
    args = parser.parse_args()
    if args.smoke:
        sys.exit(smoke(in_place=args.in_place))
    locust = locust_binary()
    VAR.mkdir(parents=True, exist_ok=True)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    lines: list[str] = []

    def out(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    prepare_database(args.items, reseed=args.reseed)
    stack = Stack(database=DATABASE, var_dir=VAR, port=args.port, redis_db=8)
    stack.flush_redis()
    # The template was filled by an earlier state of the app: migrations added since apply here.
    stack.manage("migrate", "--noinput", "-v", "0")
    stack.manage("collectstatic", "--noinput", "-v", "0")
    summary = []
    try:
        stack.start_web(workers=args.workers, threads=args.threads)
        stack.start_worker(concurrency=1)
        stack.start_beat()
        stack.wait_worker()
        log(f"gunicorn ({args.workers} workers × {args.threads} threads), worker and beat up at {stack.url}")
        out(
            f"govinfo load test · {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} CPUs · "
            f"gunicorn {args.workers}×{args.threads} · spawn {args.spawn_rate}/s · {args.warmup} s warm-up · "
            f"{args.time} s measured per run"
        )
        out(login_cost(stack))
        for users in [int(u) for u in args.users.split(",")]:
            prefix = VAR / f"locust-{users}"
            env = dict(os.environ, LOAD_ACCOUNTS=str(VAR / "accounts.json"), LOAD_WARMUP=str(args.warmup),
                       LOAD_MEASURE=str(args.time), LOAD_LOGIN_PATIENCE=str(LOGIN_PATIENCE))  # fmt: skip
            # The locustfile measures from everyone's login + the warm-up, for --time, then stops;
            # this is only the bound (logins may take up to LOGIN_PATIENCE on a busy machine).
            run_time = int(users / args.spawn_rate) + LOGIN_PATIENCE + args.warmup + args.time + 30
            wait_for_quiet(args.quiet_load, args.quiet_wait, out)
            log(f"locust: {users} users; ramp-up, {args.warmup} s warm-up, then {args.time} s measured")
            load_before = os.getloadavg()[0]
            run_locust(locust, stack, prefix, env, users=users, spawn_rate=args.spawn_rate, seconds=run_time)
            log_text = Path(f"{prefix}.log").read_text("utf-8", "replace") if Path(f"{prefix}.log").exists() else ""
            out(next((line for line in log_text.splitlines() if line.startswith("logins done")), "logins: ?"))
            summary.append(report(users, args.time, *read_stats(prefix), out))
            out(f"load average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f}")
    finally:
        stack.stop_all()
    out("\n== summary ==")
    for s in summary:
        out(
            f"{s['users']:>4} users: {s['rps']:6.2f} req/s, {s['errors']} errors, slowest p95 {s['worst'][1]} ms "
            f"({s['worst'][0]}) → {'PASS' if s['ok'] else 'FAIL'}"
        )
    path = results_dir / f"load-{dt.datetime.now():%Y-%m-%d-%H%M}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
