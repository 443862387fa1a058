"""The audit chain (audit/chain.py): the cost per write (the row and its row MAC in the
writer's transaction, then the linker after commit under the chain's lock), alone and with
four concurrent writers; the linker's cost per row when it catches up; and `audit_verify`
over a record of 1,000,000 rows.

    createdb -h 127.0.0.1 -U postgres govinfo_bench_audit
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govinfo_bench_audit .venv/bin/python bench/audit_chain.py

It empties the audit table first (TRUNCATE): run it on a database of its own. The
baseline writes the same rows without a chain (a plain INSERT, as before issue 15); they
come first, so that audit_verify counts them as written before the chain began.
--smoke: 50 writes, 2,000 rows to verify, to prove the script runs (tests/test_bench.py).
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govinfo.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from audit import chain  # noqa: E402
from audit.models import AuditEntry  # noqa: E402

WRITERS = 4


def _row(i: int) -> AuditEntry:
    # The shape of a common row: an item's state change by a person, from a request.
    return AuditEntry(
        action="transition", model="submissions.item", object_id=str(100000 + i), object_repr=f"信息 #{100000 + i}",
        actor_name="张三", changes={"state": ["draft", "submitted"], "title": ["***", "***"], "version": [i, i + 1]},
        ip="10.1.2.3", path=f"/items/{100000 + i}/transition/", request_id=f"req-{i:08d}",
    )  # fmt: skip


def _plain(i: int) -> None:
    with transaction.atomic():
        models.Model.save(_row(i), force_insert=True)  # what AuditEntry.save did before the chain


def _chained(i: int) -> None:
    with transaction.atomic():
        _row(i).save(force_insert=True)  # linked right after the commit, on_commit


def _write_only(i: int) -> None:
    # The writer's part alone: row MAC and INSERT, no linking (as when on_commit is lost).
    with transaction.atomic():
        row = _row(i)
        chain._prepare([row])
        models.Model.save(row, force_insert=True)


def catch_up(n: int) -> None:
    per_write("written, not linked (row MAC + INSERT), 1 writer", _write_only, n, 1)
    start = time.perf_counter()
    linked = chain.link_pending(AuditEntry)
    elapsed = time.perf_counter() - start
    print(f"{'linker catching up (batches of 5,000)':<52} {linked:>8} rows {elapsed:8.2f} s "
          f"{elapsed / max(linked, 1) * 1000:8.3f} ms/row")  # fmt: skip


def per_write(label: str, write, n: int, writers: int) -> None:
    per_thread = max(1, n // writers)
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def run(offset: int) -> None:
        try:
            barrier.wait(timeout=60)
            for i in range(per_thread):
                write(offset + i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t * per_thread,)) for t in range(writers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    total = per_thread * writers
    per_row = elapsed / total * 1000
    print(f"{label:<52} {total:>8} rows {elapsed:8.2f} s {per_row:8.3f} ms/row {total / elapsed:8.0f} rows/s")


def seed(total: int, batch: int = 10_000) -> None:
    have = AuditEntry.objects.count()
    start = time.perf_counter()
    i = have
    while i < total:
        rows = [_row(j) for j in range(i, min(total, i + batch))]
        AuditEntry.objects.bulk_create(rows)  # linked after its commit (autocommit: at once)
        i += len(rows)
    print(f"{'seed to ' + format(total, ','):<52} {total - have:>8} rows {time.perf_counter() - start:8.2f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny volume: proves the script runs")
    parser.add_argument("--writes", type=int, default=4000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--force", action="store_true", help="run on a database whose name lacks 'bench'")
    args = parser.parse_args(argv)
    writes, rows = (48, 2000) if args.smoke else (args.writes, args.rows)
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not ("bench" in str(name) or args.force or args.smoke):
        raise SystemExit(f"Refusing to empty the audit table of {name!r}: use a PostgreSQL database named *bench*.")
    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry, audit_chainanchor RESTART IDENTITY")
    print(f"PostgreSQL {connection.pg_version}, {timezone.now():%Y-%m-%d %H:%M}")
    per_write("plain INSERT, 1 writer (before the chain)", _plain, writes, 1)
    per_write(f"plain INSERT, {WRITERS} writers", _plain, writes, WRITERS)
    per_write("chained (row MAC + INSERT, linker after commit), 1 writer", _chained, writes, 1)
    per_write(f"chained, {WRITERS} writers", _chained, writes, WRITERS)
    catch_up(writes)
    seed(rows)
    start = time.perf_counter()
    result = chain.verify(AuditEntry, chunk_size=5000)
    elapsed = time.perf_counter() - start
    assert result.ok, f"the chain broke at #{result.broken_id}"
    print(f"{'audit_verify (audit record)':<52} {result.checked:>8} rows {elapsed:8.2f} s "
          f"{result.checked / elapsed:8.0f} rows/s (+{result.unchained} before the chain, "
          f"{result.pending} pending)")  # fmt: skip
    if args.smoke:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditentry, audit_chainanchor RESTART IDENTITY")
    print("chain verified")


if __name__ == "__main__":
    main()
