"""The search index: its size, what it costs a write, its queries and their plans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govinfo_bench .venv/bin/python bench/search.py

Against a database seeded by bench/seed_items.py (the desk benchmark's), it reports:

* **Size**: the item table, the gram table `submissions_itemsearch` and its GIN index,
  per indexed item; and the trigram indexes of migration 0003 when they are present
  (migration 0010 drops them).
* **Write cost per item**: in a transaction that is rolled back, N copies of recent items
  are INSERTed (then their bodies UPDATEd) with the gram trigger and without it (the
  trigger disabled for that transaction only), and with `--trigram` also with the two
  trigram GIN indexes that migration 0010 dropped (built once in this database for the
  run, then dropped again: minutes at 200,000 items).
* **Queries**: `search.filter_text` on the province office's desk for words of 1, 2, 3
  and 4 characters and two words, the first page (30, ranked) and the capped count the
  desk runs, each the median of several runs; and its plan: EXPLAIN with the planner's
  default settings must show the gram index and no sequential scan of submissions_item.
  The pages themselves, against the reference page, are in bench/desk.py.

`--smoke` seeds a few hundred items and runs each part once (tests/test_bench.py).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOKE_ITEMS = 300
WORDS = ["旱", "瑞丽", "乡村", "森林防火", "边境 旅游"]
TRIGRAM = [
    "CREATE INDEX IF NOT EXISTS item_title_trgm ON submissions_item USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS item_body_trgm ON submissions_item USING gin (body gin_trgm_ops)",
]
DROP_TRIGRAM = ["DROP INDEX IF EXISTS item_title_trgm", "DROP INDEX IF EXISTS item_body_trgm"]


SIZES = {
    "item table (heap + TOAST)": "pg_table_size('submissions_item')",
    "search table (heap + TOAST)": "pg_table_size('submissions_itemsearch')",
    "gram GIN index (itemsearch_doc_gin)": "pg_relation_size(to_regclass('itemsearch_doc_gin'))",
    "gram GIN index of 0008 (itemsearch_grams_gin)": "pg_relation_size(to_regclass('itemsearch_grams_gin'))",
    "trigram index item_title_trgm": "pg_relation_size(to_regclass('item_title_trgm'))",
    "trigram index item_body_trgm": "pg_relation_size(to_regclass('item_body_trgm'))",
}


def sizes(out) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE confidentiality <> 'sensitive') FROM submissions_item")
        items, indexed = cursor.fetchone()
        cursor.execute("SELECT " + ", ".join(SIZES.values()))
        found = dict(zip(SIZES, cursor.fetchone(), strict=True))
    out(f"items {items:,}, of which {indexed:,} are indexed (敏感 items have no row)")
    for name, size in found.items():
        if size is None:
            out(f"{name:<46} absent")
        else:
            out(f"{name:<46} {size / 2**20:8.1f} MB  {size / max(indexed, 1):7.0f} B/item")


def _copy_items(cursor, n: int) -> float:
    """INSERT n copies of the newest non-敏感 items; ms per item."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'submissions_item'"
        " AND column_name <> 'id' ORDER BY ordinal_position"
    )
    columns = [row[0] for row in cursor.fetchall()]
    # A copy is nobody's forward (forwarded_from_id is unique).
    values = ["NULL" if c == "forwarded_from_id" else c for c in columns]
    started = time.perf_counter()
    cursor.execute(
        f"INSERT INTO submissions_item ({', '.join(columns)}) SELECT {', '.join(values)} FROM submissions_item"
        " WHERE confidentiality <> 'sensitive' ORDER BY id DESC LIMIT %s",
        [n],
    )
    return (time.perf_counter() - started) * 1000 / n


def _update_bodies(cursor, n: int) -> float:
    """Change the body of the n newest items (the trigger recomputes their grams); ms per item."""
    started = time.perf_counter()
    cursor.execute(
        "UPDATE submissions_item SET body = body || '（补充）' WHERE id IN"
        " (SELECT id FROM submissions_item WHERE confidentiality <> 'sensitive' ORDER BY id DESC LIMIT %s)",
        [n],
    )
    return (time.perf_counter() - started) * 1000 / n


def write_cost(out, n: int, rounds: int, *, trigram: bool) -> None:
    from django.db import connection, transaction

    def once(disable_grams: bool) -> tuple[float, float]:
        with transaction.atomic(), connection.cursor() as cursor:
            if disable_grams:
                # ALTER TABLE inside the transaction: rolled back with it, so nobody else
                # ever writes without the trigger.
                cursor.execute("ALTER TABLE submissions_item DISABLE TRIGGER item_search_ins")
                cursor.execute("ALTER TABLE submissions_item DISABLE TRIGGER item_search_upd")
            insert = _copy_items(cursor, n)
            update = _update_bodies(cursor, n)
            transaction.set_rollback(True)
        return insert, update

    variants = [("no search index", True), ("gram trigger (now)", False)]
    results = {}
    for _ in range(rounds):
        for name, disable in variants:
            results.setdefault(name, []).append(once(disable))
    if trigram:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for sql in TRIGRAM:
                cursor.execute(sql)
            out(f"built the trigram indexes for the comparison in {time.perf_counter() - started:.1f} s")
        try:
            for _ in range(rounds):
                results.setdefault("gram trigger + trigram indexes (before 0010)", []).append(once(False))
                results.setdefault("trigram indexes only (before issue 18)", []).append(once(True))
        finally:
            with connection.cursor() as cursor:
                for sql in DROP_TRIGRAM:
                    cursor.execute(sql)
    out(f"{'write path':<46} {'INSERT ms/item':>15} {'UPDATE body ms/item':>20}  ({n} items, median of {rounds})")
    for name, runs in results.items():
        ins = statistics.median(r[0] for r in runs)
        upd = statistics.median(r[1] for r in runs)
        out(f"{name:<46} {ins:>15.2f} {upd:>20.2f}")


def queries(out, rounds: int, *, strict: bool = True) -> bool:
    """Time the desk's search queries; True when every plan uses the gram index, and
    (`strict`, at a real volume) reads no part of the item table by a sequential scan: a
    few hundred items, as in the smoke run, are rightly read whole."""
    from django.db import connection

    from submissions import access, search
    from units.models import User

    editor = User.objects.get(username="prov_editor")
    desk = access.desk_items(editor)
    all_indexed = True
    out(f"{'query':<12} {'first page ms':>14} {'count ≤1001 ms':>15} {'hits':>7}  plan")
    for q in WORDS:
        listing = search.ranked(search.filter_text(desk, q), q, "-submitted_at", "-pk")
        page_ms, count_ms = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            list(listing.values_list("pk", flat=True)[:30])
            page_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            hits = listing.order_by()[:1001].count()
            count_ms.append((time.perf_counter() - started) * 1000)
        sql, params = listing.order_by()[:1001].values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        uses_index = "itemsearch_doc_gin" in plan
        seq_items = any("Seq Scan on submissions_item " in line + " " for line in plan.splitlines())
        ok = uses_index and not (strict and seq_items)
        all_indexed &= ok
        detail = "items read whole (a small table)" if seq_items else "no seq scan of items"
        verdict = f"gram index, {detail}" if ok else "NOT INDEXED:\n" + plan
        out(f"{q:<12} {statistics.median(page_ms):>14.1f} {statistics.median(count_ms):>15.1f} {hits:>7}  {verdict}")
    return all_indexed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=500, help="items written per write-cost round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--trigram", action="store_true", help="also measure writes with the trigram indexes")
    parser.add_argument("--force", action="store_true", help="use a database whose name lacks 'bench'")
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_ITEMS} items, one round (tests/test_bench.py)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.writes, args.rounds = 20, 1

    sys.path.insert(0, str(ROOT))
    from bench import seed_items

    seed_items.setup_django()
    seed_items.check_database(force=args.force)
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/search.py measures the PostgreSQL index: set DATABASE_URL")
    call_command("migrate", interactive=False, verbosity=0)
    if args.smoke:
        seed_items.seed(SMOKE_ITEMS, log=lambda line: None)
    from submissions import search

    filled = search.backfill()
    if filled:
        print(f"backfilled the grams of {filled:,} items")
    print("== size ==")
    sizes(print)
    print("\n== write cost ==")
    write_cost(print, args.writes, args.rounds, trigram=args.trigram)
    print("\n== the desk's search queries (province office editor) ==")
    indexed = queries(print, args.rounds if not args.smoke else 1, strict=not args.smoke)
    if not indexed:
        raise SystemExit("a search query does not go through the gram index")
    print("\nsearch benchmark done: every query used the gram index")


if __name__ == "__main__":
    main()
