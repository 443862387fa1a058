"""`manage.py rotate_item_keys` over 100,000 sealed items: Fernet under an old key to
SM4-GCM under a new one, then a second run that has nothing to do.

    createdb -h 127.0.0.1 -U postgres govinfo_bench_rotate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govinfo_bench_rotate .venv/bin/python bench/rotate_keys.py

Seeds the demo province and N copies of one 敏感 item (title and body of ~600
characters sealed with Fernet, as before issue 15) with bulk_create. The keys are fixed
in this script, so a second run on the same database finds the first run's items
already current and times only its own. --smoke: 200 items (tests/test_bench.py).

The item table has trigram GIN indexes on title and body (the desk's search): for sealed
text each row adds thousands of useless trigrams, which is most of the cost of seeding
and of re-sealing. --without-trigram-indexes drops them for the run and builds them again
at the end (timed), to show what the rotation itself costs.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govinfo.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from submissions import sealing  # noqa: E402
from submissions.models import Confidentiality, Item  # noqa: E402

# Bench keys only (never used elsewhere): fixed so that runs on one database agree.
OLD_KEY = "YmVuY2gtb2xkLWtleS1mb3Itcm90YXRpb24tMDAwMDA="
NEW_KEY = "YmVuY2gtbmV3LWtleS1mb3Itcm90YXRpb24tMDAwMDA="
TITLE = "某工业园区企业欠薪引发聚集的情况报告"
BODY = "今年以来，园区部分企业因订单下降出现拖欠工资情况，引发职工聚集。" * 20


def template() -> Item:
    from govinfo.demo import load_demo
    from submissions.actions import ItemData, create_draft
    from submissions.categories import ensure_categories
    from submissions.models import Category
    from units.models import User

    if not User.objects.filter(username="dept_staff").exists():
        load_demo(settings.DEMO_PASSWORD)
    ensure_categories(Category)
    writer = User.objects.get(username="dept_staff")
    leader = User.objects.filter(role_grants__unit=writer.unit.parent, role_grants__role="leader").first()
    data = ItemData(title=TITLE, body=BODY, category=Category.objects.filter(parent__isnull=False).first(),
                    confidentiality=Confidentiality.SENSITIVE, named_readers=[leader] if leader else [])  # fmt: skip
    return create_draft(author=writer, data=data)


def seed(n: int, batch: int = 5000) -> None:
    base = template()
    fields = {f.attname: getattr(base, f.attname) for f in Item._meta.concrete_fields if not f.primary_key}
    start = time.perf_counter()
    made = 0
    while made < n:
        rows = []
        for _ in range(min(batch, n - made)):
            rows.append(Item(**{**fields, "title": sealing.seal(TITLE), "body": sealing.seal(BODY)}))
        Item.objects.bulk_create(rows)
        made += len(rows)
    print(f"{'seed ' + format(n, ',') + ' Fernet-sealed items':<44} {time.perf_counter() - start:8.2f} s")


def drop_trigram_indexes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'submissions_item' AND indexdef LIKE %s",
            ["%gin_trgm_ops%"],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def rebuild(definitions: list[str]) -> None:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for definition in definitions:
            cursor.execute(definition)
    print(f"{'build the trigram indexes again':<44} {time.perf_counter() - start:8.2f} s")


def timed(label: str, **options) -> str:
    from io import StringIO

    out = StringIO()
    start = time.perf_counter()
    call_command("rotate_item_keys", stdout=out, verbosity=0, **options)
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {elapsed:8.2f} s   {out.getvalue().strip().splitlines()[-1]}")
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="200 items: proves the script runs")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--force", action="store_true", help="run on a database whose name lacks 'bench'")
    parser.add_argument("--without-trigram-indexes", action="store_true", help="measure without the GIN indexes")
    args = parser.parse_args(argv)
    n = 200 if args.smoke else args.items
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not ("bench" in str(name) or args.force or args.smoke):
        raise SystemExit(f"Refusing to seed {name!r}: use a PostgreSQL database named *bench*.")
    call_command("migrate", interactive=False, verbosity=0)
    dropped = drop_trigram_indexes() if args.without_trigram_indexes else []
    original = list(settings.ITEM_ENCRYPTION_KEYS)  # the demo's own 敏感 items, if any
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "fernet", [OLD_KEY, *original]
    seed(n)
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "sm4", [NEW_KEY, OLD_KEY, *original]
    out = timed(f"rotate {n:,} items (Fernet → SM4-GCM)", batch_size=args.batch_size)
    assert f"submissions.item {n + 1}/{n + 1}" in out or f"submissions.item {n}/" in out, out
    out = timed("second run (nothing to do)", batch_size=args.batch_size)
    assert "重新加密 0 行" in out, out
    current = Item.objects.filter(title__startswith=f"sm4:{sealing.keys()[0].id}:").count()
    print(f"items under the new key: {current}")
    if dropped:
        rebuild(dropped)
    print("rotation done")


if __name__ == "__main__":
    main()
