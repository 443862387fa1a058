"""Directory import: a province of 2,000 units and 10,000 people from one .xlsx, then
the same file again (nothing to change). Prints the time of each step.

    createdb -h 127.0.0.1 -U postgres govinfo_bench_directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govinfo_bench_directory .venv/bin/python bench/directory.py

Each run imports under codes of its own (a new province), so runs do not meet.
--smoke: 20 units and 50 people, to prove the script runs (tests/test_bench.py).
"""

import argparse
import io
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govinfo.settings")
# The one-time passwords are e-mailed to a third of the people: kept in memory, not printed.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from units.directory.apply import apply_directory  # noqa: E402
from units.directory.parse import parse_workbook  # noqa: E402
from units.directory.plan import build_plan  # noqa: E402
from units.directory.template import PERSON_COLUMNS, UNIT_COLUMNS  # noqa: E402

ROLES = ["信息员", "信息员、单位审签人", "编辑、签发人", "领导", "信息员"]


def province_xlsx(units: int, people: int, prefix: str) -> bytes:
    """A tree as a province has it: the office, 16 cities, the rest departments and
    counties under the cities; people spread over all units."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("单位")
    ws.append(list(UNIT_COLUMNS))
    ws.append([f"{prefix}0", f"{prefix}省人民政府办公厅", "省政府办公厅", "", "省政府办公厅", "", 1, "是"])
    cities = min(16, units - 1)
    for c in range(1, cities + 1):
        city = "市（州）政府办公室"
        ws.append([f"{prefix}{c}", f"第{c}市人民政府办公室", f"第{c}市", f"{prefix}0", city, "", c, "是"])
    for u in range(cities + 1, units):
        parent = f"{prefix}{1 + u % cities}"
        ws.append([f"{prefix}{u}", f"第{u}号单位", f"单位{u}", parent, "部门", "", u, "是"])
    ps = wb.create_sheet("人员")
    ps.append(list(PERSON_COLUMNS))
    for p in range(people):
        email = f"p{p}@example.cn" if p % 3 == 0 else ""
        ps.append([f"{prefix}_u{p}", f"人员{p}", f"{prefix}{p % units}", ROLES[p % len(ROLES)], "", email, "是"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<44} {time.perf_counter() - start:8.2f} s")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="20 units, 50 people: proves the script runs")
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--force", action="store_true", help="run on a database whose name lacks 'bench'")
    args = parser.parse_args(argv)
    units, people = (20, 50) if args.smoke else (args.units, args.people)
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not ("bench" in str(name) or args.force or args.smoke):
        sys.exit("bench/directory.py needs a PostgreSQL database whose name contains 'bench' (or --force)")
    call_command("migrate", verbosity=0)
    prefix = "B" + uuid.uuid4().hex[:6].upper()
    print(f"directory import: {units} units, {people} people on {connection.vendor} ({name})")
    data = timed("build the workbook (openpyxl, not the import)", lambda: province_xlsx(units, people, prefix))
    print(f"{'file size':<44} {len(data) / 1024:8.0f} KB")
    parsed = timed("parse", lambda: parse_workbook(io.BytesIO(data)))
    plan = timed("plan (the preview)", lambda: build_plan(parsed, importer=None))
    assert not plan.refused, [r.reasons for r in plan.refused[:5]]
    start = time.perf_counter()
    result = apply_directory(parsed=parse_workbook(io.BytesIO(data)), importer=None)
    first = time.perf_counter() - start
    print(f"{'first import: parse + plan + apply':<44} {first:8.2f} s")
    assert result.counts["units"]["create"] == units and result.counts["people"]["create"] == people
    second = timed("second import of the same file: parse + plan", lambda: build_plan(
        parse_workbook(io.BytesIO(data)), importer=None))  # fmt: skip
    assert not second.changes_anything
    verdict = "under" if first < 60 else "OVER"
    print(f"first import {first:.1f} s: {verdict} 60 s; second import changes nothing")


if __name__ == "__main__":
    main()
