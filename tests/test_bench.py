"""Every benchmark in bench/ still runs: its smoke mode (tiny volume, one or two rounds,
no waiting for a quiet machine, no results file) end to end, as its own process.

A benchmark is run by hand, rarely, against a database of its own; without this a change
to the app breaks it silently and the next person to measure finds out (bench/desk.py
stopped at the two-factor page for weeks). The figures a smoke run prints mean nothing;
the exit status and the last line are what count. The fault drills (bench/faults/) kill
and restart services: they are not run here. The load test (bench/load/) is, in its smoke
mode: the real stack on free ports and locust, which bench/load/run.py installs into
var/bench-venv from PyPI on first use (bench/requirements.txt).
"""

import importlib.util
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


def test_search_benchmark_runs_and_every_query_uses_the_gram_index(bench_database):
    out = _run("search.py", bench_database, "--force", timeout=600)
    assert "gram GIN index (itemsearch_doc_gin)" in out and "gram trigger (now)" in out
    assert out.rstrip().endswith("search benchmark done: every query used the gram index")


def test_load_benchmark_smoke_every_page_of_the_mix_answers(bench_database):
    # gunicorn, a Celery worker and beat over a redis-server of the run's own (free ports),
    # locust with one person of each role going round every page; the run exits non-zero
    # on a failed request, an exception in a task or a page of the mix never answered.
    out = _run("load/run.py", bench_database, "--in-place", timeout=900)
    assert "sign off" in out and "compose issue" in out and "sign issue" in out
    assert out.rstrip().endswith("smoke run: every page of the mix answered 200; figures not written")


def _load_run_module():
    """bench/load/run.py as a module, without leaving bench/load on sys.path (its web.py and
    stack.py would shadow other modules of those names)."""
    path = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location("bench_load_run", ROOT / "bench" / "load" / "run.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path
    return module


def _row(name: str, count: int, failures: int = 0) -> dict:
    return {"Name": name, "Request Count": str(count), "Failure Count": str(failures)}


def test_load_smoke_fails_on_an_error_an_exception_or_a_page_never_answered():
    run = _load_run_module()
    pages = ["desk", "sign off"]
    total = _row("Aggregated", 5)
    assert run.smoke_problems([_row("desk", 3), _row("sign off", 2), total], [], pages) == []
    failed = run.smoke_problems([_row("desk", 3), _row("sign off", 2, failures=1), total], [], pages)
    assert failed == ["1 failed requests (listed above)"]
    raised = run.smoke_problems([_row("desk", 3), _row("sign off", 2), total], [{"Count": "2"}], pages)
    assert raised == ["2 exceptions in tasks (listed above)"]
    assert run.smoke_problems([_row("desk", 3), total], [], pages) == ["never answered: sign off"]
    every_one_failed = run.smoke_problems([_row("desk", 3), _row("sign off", 1, failures=1), total], [], pages)
    assert every_one_failed[-1] == "never answered: sign off"


def test_load_smoke_checks_every_page_the_locustfile_requests():
    pages = _load_run_module().mix_pages()
    # Every role's pages, the writes with them; read from the locustfile, so a page added
    # to the mix must be reached by the smoke round too.
    for page in ("save draft", "sign off", "adopt", "return", "hold", "compose issue", "sign issue", "issue docx",
                 "scoreboard", "writing check (htmx)"):  # fmt: skip
        assert page in pages
    assert len(pages) == len(set(pages)) >= 25
