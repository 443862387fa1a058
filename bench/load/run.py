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
(not part of the app's requirements; CI does not install it). Results: bench/results/.
"""

import argparse
import csv
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import ROOT, Stack, create_database, database_exists, log  # noqa: E402

VAR = ROOT / "var" / "bench-load"
BENCH_VENV = ROOT / "var" / "bench-venv"
DATABASE = "govinfo_load"
TEMPLATE = "govinfo_load_seed"
P95_TARGET = 300  # ms
MIN_SAMPLES = 20  # a p95 of fewer requests is just the slowest one: shown, not judged


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


def read_stats(prefix: Path) -> tuple[list[dict], list[dict]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        stats = list(csv.DictReader(f))
    failures = []
    path = Path(f"{prefix}_failures.csv")
    if path.exists():
        with open(path, encoding="utf-8") as f:
            failures = list(csv.DictReader(f))
    return stats, failures


def report(users: int, seconds: int, stats: list[dict], failures: list[dict], out) -> dict:
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
    worst = max(pages, key=lambda r: int(r["95%"]), default=None)
    errors = sum(int(r["Failure Count"]) for r in rows)
    ok = errors == 0 and worst is not None and int(worst["95%"]) < P95_TARGET
    out(
        f"verdict: {'PASS' if ok else 'FAIL'} — {errors} errors; slowest p95 {worst['95%'] if worst else '-'} ms "
        f"({worst['Name'] if worst else '-'}); target p95 < {P95_TARGET} ms on every page with "
        f"{MIN_SAMPLES}+ requests, no errors"
    )
    return {"users": users, "ok": ok, "rps": float(total["Requests/s"]), "errors": errors,
            "worst": (worst["Name"], int(worst["95%"])) if worst else ("-", 0)}  # fmt: skip


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
    args = parser.parse_args()
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
            env = dict(os.environ, LOAD_ACCOUNTS=str(VAR / "accounts.json"), LOAD_WARMUP=str(args.warmup))
            run_time = int(users / args.spawn_rate) + args.warmup + args.time
            wait_for_quiet(args.quiet_load, args.quiet_wait, out)
            log(f"locust: {users} users; ramp-up, {args.warmup} s warm-up, then {args.time} s measured")
            load_before = os.getloadavg()[0]
            subprocess.run(
                [str(locust), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
                 "--host", stack.url, "-u", str(users), "-r", str(args.spawn_rate), "-t", f"{run_time}s",
                 "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
                cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            stats, failures = read_stats(prefix)
            summary.append(report(users, args.time, stats, failures, out))
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
