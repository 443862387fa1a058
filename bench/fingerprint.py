"""How long band_keys() takes: the fingerprint every submission computes for the
duplicate hint (submissions/fingerprint.py). Texts of 300 to 5,000 characters with every
trigram distinct (the worst case: the most distinct shingles to hash), median and
minimum of 20 runs each. Target: 1,500 characters under 10 ms (measured about 1.5 ms in
CPython 3.11 when this was a test's assertion).

    .venv/bin/python bench/fingerprint.py            # or --smoke: one short text, two runs
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from submissions.fingerprint import band_keys  # noqa: E402

LENGTHS = (300, 800, 1500, 5000)
TARGET_LENGTH, TARGET_MS = 1500, 10.0
RUNS = 20


def worst_case_text(length: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(length))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--smoke", action="store_true", help="one short text, two runs: proves the script runs")
    args = parser.parse_args(argv)
    lengths, runs = ((300,), 2) if args.smoke else (LENGTHS, args.runs)
    band_keys(worst_case_text(100))  # warm up imports and caches
    for length in lengths:
        text = worst_case_text(length)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            keys = band_keys(text)
            times.append((time.perf_counter() - start) * 1000)
        verdict = ""
        if length == TARGET_LENGTH:
            verdict = f"  target < {TARGET_MS:g} ms: {'PASS' if min(times) < TARGET_MS else 'FAIL'}"
        print(
            f"{length:5d} chars: median {statistics.median(times):6.2f} ms  (min {min(times):.2f}, "
            f"max {max(times):.2f}; {len(keys)} keys){verdict}"
        )


if __name__ == "__main__":
    main()
