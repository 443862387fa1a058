"""Compile task end to end: 30 adopted items → one draft issue → signed issue with its
Word file. Prints the median of 5 runs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govinfo_bench_compile .venv/bin/python bench/compile.py

--smoke: one run of 2 items, to prove the script runs (tests/test_bench.py).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govinfo.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from govinfo.demo import load_demo  # noqa: E402
from publications import actions  # noqa: E402
from publications.models import Publication  # noqa: E402
from submissions import actions as item_actions  # noqa: E402
from submissions.models import Category  # noqa: E402
from units.models import User  # noqa: E402

BODY = (
    "今年以来，全市围绕重大项目建设，建立“周调度、月通报”工作机制，推动项目加快落地。"
    "1—10月，全市省级重大项目完成投资486.3亿元，同比增长12.4%，完成年度计划的87.2%。\n"
) * 4


def adopt_batch(n: int, run: int) -> None:
    staff, approver = User.objects.get(username="city_staff"), User.objects.get(username="city_approver")
    editor = User.objects.get(username="prov_editor")
    daily = Publication.objects.get(office=editor.unit, name="每日要情")
    category = Category.objects.get(code="measures")
    for i in range(n):
        data = item_actions.ItemData(title=f"第{run}轮第{i}条：项目建设提速增效", body=BODY, category=category)
        item = item_actions.create_draft(author=staff, data=data)
        for user, action in ((staff, "send_for_signoff"), (approver, "sign_off")):
            item.refresh_from_db()
            item_actions.transition(item=item, user=user, action=action, expected_version=item.version)
        actions.adopt(item=item, user=editor, publication=daily)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="one run of 2 items: proves the script runs")
    args = parser.parse_args(argv)
    runs, items = (1, 2) if args.smoke else (5, 30)
    call_command("migrate", verbosity=0)
    load_demo(settings.DEMO_PASSWORD)
    editor, signer = User.objects.get(username="prov_editor"), User.objects.get(username="prov_signer")
    daily = Publication.objects.get(office=editor.unit, name="每日要情")
    compile_ms, total_ms = [], []
    for run in range(runs):
        adopt_batch(items, run)
        start = time.perf_counter()
        result = actions.compile_issue(publication=daily, key=f"bench:{time.time_ns()}")
        compiled = time.perf_counter()
        actions.sign_off_issue(issue=result.issue, user=signer)
        done = time.perf_counter()
        compile_ms.append((compiled - start) * 1000)
        total_ms.append((done - start) * 1000)
    print(f"compile {items} items into a draft issue: median {statistics.median(compile_ms):.0f} ms")
    print(f"compile + sign-off with the Word file: median {statistics.median(total_ms):.0f} ms")


if __name__ == "__main__":
    main()
