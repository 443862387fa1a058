"""Every benchmark in bench/ still runs: its smoke mode (tiny volume, one or two rounds,
no waiting for a quiet machine, no results file) end to end, as its own process.

A benchmark is run by hand, rarely, against a database of its own; without this a change
to the app breaks it silently and the next person to measure finds out (bench/desk.py
stopped at the two-factor page for weeks). The figures a smoke run prints mean nothing;
the exit status and the last line are what count. The fault drills (bench/faults/) and
the load test (bench/load/) restart services and need locust: they are not run here.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import database_url_for_subprocess

ROOT = Path(__file__).resolve().parent.parent


def _run(script: str, env: dict[str, str], *args: str, timeout: float) -> str:
    proc = subprocess.run(
        [sys.executable, f"bench/{script}", *args, "--smoke"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert proc.returncode == 0, f"bench/{script} --smoke failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.fixture
def bench_env(tmp_path):
    """The bench's own process: files, cache and task queue in a directory of this test
    (a Redis of CI would mix its desk counts with other runs'), the test database."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")}
    env["GOVINFO_VAR_DIR"] = str(tmp_path)
    return env


@pytest.mark.parametrize("script", ["fingerprint.py", "docx_build.py"])
def test_pure_benchmarks_run(bench_env, script):
    out = _run(script, bench_env, timeout=120)
    assert " ms" in out


@pytest.fixture
def bench_database(transactional_db, bench_env):
    """The test database, committed to by the bench process and emptied after the test."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the database benchmarks need PostgreSQL (set DATABASE_URL)")
    return {**bench_env, "DATABASE_URL": database_url_for_subprocess()}


def test_compile_benchmark_runs(bench_database):
    out = _run("compile.py", bench_database, timeout=300)
    assert "compile 2 items into a draft issue" in out and "with the Word file" in out


def test_desk_benchmark_signs_in_past_the_second_factor_and_every_page_answers(bench_database):
    # --force: the test database's name lacks "bench"; the run empties it afterwards.
    out = _run("desk.py", bench_database, "--force", timeout=600)
    assert "desk default" in out and "item page" in out
    assert out.rstrip().endswith("every page answered 200; figures not written")


def test_scoring_benchmark_runs(bench_database):
    out = _run("scoring.py", bench_database, "--force", timeout=600)
    assert "province board" in out and "city ledger (admin)" in out
    assert out.rstrip().endswith("every page answered 200; figures not written")


def test_directory_benchmark_runs(bench_database):
    out = _run("directory.py", bench_database, timeout=300)
    assert "first import: parse + plan + apply" in out
    assert out.rstrip().endswith("second import changes nothing")


def test_audit_chain_benchmark_runs(bench_database):
    out = _run("audit_chain.py", bench_database, timeout=300)
    assert "chained, 4 writers" in out and "audit_verify (audit record)" in out
    assert out.rstrip().endswith("chain verified")


def test_rotate_keys_benchmark_runs(bench_database):
    out = _run("rotate_keys.py", bench_database, timeout=300)
    assert "rotate 200 items (Fernet → SM4-GCM)" in out and "重新加密 0 行" in out
    assert out.rstrip().endswith("rotation done")
