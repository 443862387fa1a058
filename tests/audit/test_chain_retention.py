"""Retention: rows younger than AUDIT_RETENTION_DAYS stay (the application refuses, and the
database refuses young rows even to SQL); older rows are archived to a signed file and
pruned, both audited, and the chain stays verifiable from the archived last value."""

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

import audit
from audit import chain
from audit.models import AuditEntry, ChainAnchor

ROOT = Path(__file__).resolve().parent.parent.parent


def _entry(days_ago: int, name: str) -> AuditEntry:
    entry = AuditEntry(at=timezone.now() - dt.timedelta(days=days_ago), action="export", model="tests.thing",
                       object_id=name, object_repr=name, changes={"n": [None, days_ago]})  # fmt: skip
    entry.save(force_insert=True)
    return entry


@pytest.fixture
def record(db):
    """Three rows 500 days old, two 300 days old, two of today, linked as their commits
    would have linked them (a test's transaction never commits)."""
    rows = {
        "old": [_entry(500, f"旧{i}") for i in range(3)],
        "middle": [_entry(300, f"中{i}") for i in range(2)],
        "new": [_entry(0, f"新{i}") for i in range(2)],
    }
    chain.link_all()
    return {name: [AuditEntry.objects.get(pk=e.pk) for e in entries] for name, entries in rows.items()}


def _day(days_ago: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


def _run(*args) -> str:
    out = StringIO()
    call_command("audit_archive", *args, stdout=out)
    return out.getvalue()


def _verify() -> tuple[int, str]:
    chain.link_all()  # what the commits of the rows written meanwhile would have done
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_rows_younger_than_the_retention_period_cannot_be_archived(record, tmp_path):
    with pytest.raises(CommandError, match="保存期限 400 天"):
        _run("--before", _day(300), "--dir", str(tmp_path))
    assert AuditEntry.objects.count() == 7 and not list(tmp_path.iterdir())


def test_old_rows_are_archived_signed_pruned_and_the_chain_still_verifies(record, tmp_path):
    out = _run("--before", _day(450), "--dir", str(tmp_path))
    assert "已归档 3 行" in out and "已删除 3 行" in out
    (archived,) = tmp_path.iterdir()
    assert "旧0" in archived.read_text() and "中0" not in archived.read_text()
    assert not AuditEntry.objects.filter(object_repr__startswith="旧").exists()
    assert AuditEntry.objects.filter(object_repr__startswith="中").count() == 2
    anchor = ChainAnchor.objects.get()
    assert anchor.through_id == record["old"][-1].chain_seq and anchor.value == record["old"][-1].chain
    assert set(
        AuditEntry.objects.filter(action__in=["audit_archive", "audit_prune"]).values_list("action", flat=True)
    ) == {"audit_archive", "audit_prune"}
    # The file checks alone; the remaining record verifies from the archived last value.
    assert "归档文件一致：3 行" in _run("--check", str(archived))
    audit.record(action="export", model="tests.thing", object_id="after", actor=None, unit=None)
    code, out = _verify()
    assert code == 0 and "audit.auditentry: 7 行一致" in out  # 2 middle, 2 new, archive, prune, after
    # Nothing older is left to archive: a second run says so and removes nothing.
    with pytest.raises(CommandError, match="没有可归档"):
        _run("--before", _day(450), "--dir", str(tmp_path))


def test_an_altered_archive_file_is_refused(record, tmp_path):
    _run("--before", _day(450), "--dir", str(tmp_path), "--keep")
    (archived,) = tmp_path.iterdir()
    assert AuditEntry.objects.filter(object_repr__startswith="旧").count() == 3  # --keep removes nothing
    archived.write_text(archived.read_text().replace("旧1", "改1"))
    with pytest.raises(CommandError, match="签名不符"):
        _run("--check", str(archived))


def test_the_database_refuses_to_delete_young_rows_even_when_pruning(record):
    if connection.vendor != "postgresql":
        pytest.skip("the retention trigger is PostgreSQL's")
    young, middle = record["new"][0], record["middle"][0]
    for before, row in ((timezone.now(), young), (timezone.now() - dt.timedelta(days=400), middle)):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT audit_allow_prune(%s)", [before])
            cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [row.pk])
    # Without audit_allow_prune even an old row stays.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [record["old"][0].pk])
    assert AuditEntry.objects.count() == 7


def test_health_warns_when_the_oldest_row_nears_the_retention_limit(client, db):
    _entry(100, "较新")
    assert client.get(reverse("health")).json()["audit_retention"] == "ok"
    _entry(380, "将到期")
    body = client.get(reverse("health")).json()
    assert body["audit_retention"].startswith("degraded: oldest audit row is 380 days old, retention 400")
    assert "audit_retention" in body["warnings"]


def _check(tmp_path, **env) -> subprocess.CompletedProcess:
    from cryptography.fernet import Fernet

    base = {k: v for k, v in os.environ.items() if k not in ("AUDIT_CHAIN_KEY", "AUDIT_RETENTION_DAYS")}
    base.update(GOVINFO_VAR_DIR=str(tmp_path), SECRET_KEY="x" * 50, ITEM_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
                ALLOWED_HOSTS="govinfo.example", SITE_URL="https://govinfo.example", **env)  # fmt: skip
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=base, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_production_refuses_to_start_without_a_chain_key_or_with_too_short_a_retention(tmp_path):
    result = _check(tmp_path, GOVINFO_ENV="production")
    assert result.returncode != 0 and "AUDIT_CHAIN_KEY" in result.stderr
    result = _check(tmp_path, GOVINFO_ENV="development", AUDIT_RETENTION_DAYS="100")
    assert result.returncode != 0 and "不能少于 184 天" in result.stderr
