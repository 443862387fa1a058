"""How long build_issue_docx() takes for big issues: 30 and 300 items of about 800
characters (generated 政务信息 text), median of 5 runs each. Target: 300 items under 1 s.

    .venv/bin/python bench/docx_build.py            # or --smoke: 2 items, one run
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.texts import THEMES, TextMaker  # noqa: E402
from publications.docx import DocIssue, DocItem, build_issue_docx  # noqa: E402

UNITS = ("昆明市人民政府办公室", "曲靖市人民政府办公室", "省发展改革委", "省农业农村厅", "大理州人民政府办公室")
RUNS = 5


def make_issue(count: int, seed: int = 1) -> DocIssue:
    rnd = random.Random(seed)
    maker = TextMaker(rnd)
    items = []
    for i in range(count):
        unit = rnd.choice(UNITS)
        brief = i % 10 == 9
        title, body = maker.item(unit, rnd.sample(THEMES, 2), brief=brief)
        items.append(DocItem(title, body, unit, "brief" if brief else "full"))
    return DocIssue(
        publication="每日要情",
        office="云南省人民政府办公厅",
        year=2026,
        number=12,
        total=345,
        date=datetime.date(2026, 11, 27),
        approver="张三",
        items=tuple(items),
        bao=("国务院办公厅", "省委办公厅"),
        song=("省人大常委会办公厅", "省政协办公厅"),
        fa=("各州（市）人民政府办公室",),
        copies=120,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="2 items, one run: proves the script runs")
    args = parser.parse_args(argv)
    counts, runs = ((2,), 1) if args.smoke else ((30, 300), RUNS)
    build_issue_docx(make_issue(2))  # warm up imports and caches
    for count in counts:
        issue = make_issue(count)
        chars = sum(len(item.body) for item in issue.items) / count
        times, size = [], 0
        for _ in range(runs):
            start = time.perf_counter()
            size = len(build_issue_docx(issue))
            times.append(time.perf_counter() - start)
        print(
            f"{count:4d} items (mean body {chars:.0f} chars): median {statistics.median(times) * 1000:7.1f} ms"
            f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}; {size // 1024} KiB)"
        )


if __name__ == "__main__":
    main()
