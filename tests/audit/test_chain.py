"""Tamper evidence: each audit row carries HMAC-SM3 over the previous row's value and its
own content, given by the linker after commit; `manage.py audit_verify` recomputes the
chain and names the first row that does not match, after an alteration made behind the
application's back.

Tests in a transaction never commit, so nothing runs on commit: they link as the commit
would, with chain.link_all()."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

import audit
from audit import chain
from audit.models import AuditEntry
from common import crypto


def _write(n: int, prefix: str = "事项", *, link: bool = True) -> None:
    for i in range(n):
        audit.record(action="export", model="tests.thing", object_id=str(i), object_repr=f"{prefix}{i}",
                     changes={"count": [None, i], "when": [None, "2026-12-03"]}, actor=None, unit=None)  # fmt: skip
    if link:
        chain.link_all()


def _verify(**options) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=StringIO(), **options)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def _behind_the_back(sql: str, params) -> None:
    """What someone with the database password could do: the append-only trigger off,
    one statement, the trigger on again."""
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger and its switch are PostgreSQL's")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_change")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_no_change")


def test_each_row_links_to_the_previous_one_with_hmac_sm3(db, settings):
    _write(3)
    rows = list(AuditEntry.objects.order_by("pk"))
    spec = chain.Spec.of(AuditEntry)
    key = settings.AUDIT_CHAIN_KEY.encode()
    previous = ""
    for row in rows:
        expected = crypto.hmac_sm3(key, previous.encode() + b"\n" + spec.content_of(row)).hex()
        assert row.chain == expected
        previous = row.chain
    code, out = _verify()
    assert code == 0 and f"audit.auditentry: {len(rows)} 行一致" in out


def test_rows_written_in_bulk_are_chained_too(db):
    _write(2)
    entries = [{"action": "export", "model": "tests.thing", "object_id": str(i), "actor": None, "unit": None}
               for i in range(2500)]  # fmt: skip
    assert audit.record_many(entries, batch_size=1000) == 2500
    assert AuditEntry.objects.filter(chain="").count() == 2500  # written, not linked yet
    chain.link_all()
    assert not AuditEntry.objects.filter(chain="").exists()
    code, out = _verify()
    assert code == 0 and "audit.auditentry: 2502 行一致" in out


def test_audit_verify_names_a_row_altered_behind_the_applications_back(db):
    _write(5)
    altered = AuditEntry.objects.order_by("pk")[2]
    _behind_the_back("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["改过的", altered.pk])
    code, out = _verify()
    assert code == 1 and f"第一处不符在 #{altered.pk}" in out and "此前 2 行一致" in out
    assert AuditEntry.objects.filter(action="audit_verify", object_repr="校验不符").exists()


def test_audit_verify_finds_a_row_removed_or_its_chain_recomputed_without_the_key(db):
    _write(5)
    rows = list(AuditEntry.objects.order_by("pk"))
    _behind_the_back("DELETE FROM audit_auditentry WHERE id = %s", [rows[1].pk])
    code, out = _verify()
    assert code == 1 and f"第一处不符在 #{rows[2].pk}" in out
    # Changing the content and writing a chain value computed with another key is no better.
    forged = chain.link_value(rows[0].chain, b"anything", key=b"not the key")
    _behind_the_back("UPDATE audit_auditentry SET chain = %s WHERE id = %s", [forged, rows[3].pk])
    code, out = _verify()
    assert code == 1 and f"#{rows[2].pk}" in out


def test_a_row_changed_in_its_json_is_found(db):
    _write(3)
    target = AuditEntry.objects.order_by("pk")[1]
    _behind_the_back(
        "UPDATE audit_auditentry SET changes = jsonb_set(changes, '{count,1}', '99') WHERE id = %s", [target.pk]
    )
    code, out = _verify()
    assert code == 1 and f"#{target.pk}" in out


def test_rows_from_before_the_chain_are_counted_not_checked(db):
    if connection.vendor != "postgresql":
        pytest.skip("raw insert with PostgreSQL's now()")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (at, actor_name, action, model, object_id, object_repr, changes, path,"
            " request_id, chain) VALUES (now(), '系统', 'update', 'units.unit', '1', '旧行', '{}', '', '', '')"
        )
    _write(2)
    code, out = _verify()
    assert code == 0 and "2 行一致" in out and "另有 1 行早于校验链" in out


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite is for development only")
    barrier = threading.Barrier(6)
    errors = []

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(15):
                with transaction.atomic():
                    _write(2, prefix=f"线程{n}-{i}-")
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert AuditEntry.objects.count() == 6 * 15 * 2
    code, out = _verify()
    assert code == 0 and "180 行一致" in out


def test_values_read_back_give_the_content_they_were_linked_with(db):
    import datetime as dt
    from decimal import Decimal

    # What the database gives back differs from what was written: an upper-case IPv6
    # address, jsonb's key order, a Decimal and a date turned into strings.
    changes = {"z": ["甲", "乙"], "a": [{"y": Decimal("1.50"), "b": dt.date(2026, 1, 2)}, None]}
    entry = AuditEntry(
        action="update", model="tests.thing", object_id="7", ip="2001:DB8::1", path="/x/", changes=changes
    )
    entry.save(force_insert=True)
    spec = chain.Spec.of(AuditEntry)
    (stored,) = AuditEntry.objects.filter(pk=entry.pk).values_list(*spec.names)
    assert spec.content_from_db(stored) == spec.content_of(entry) == spec.content(stored)
    # the row MAC written before the INSERT is accepted by the linker reading it back
    assert chain.link_all()["audit.auditentry"] == 1
    assert _verify()[0] == 0


def test_a_fresh_unlinked_row_is_pending_and_one_left_past_the_grace_period_is_a_break(db):
    import datetime as dt

    from django.utils import timezone

    _write(2)
    _write(1, prefix="未链接", link=False)
    code, out = _verify()
    assert code == 0 and "2 行一致" in out and "1 行刚写入、待链接" in out
    stale = AuditEntry.objects.get(chain_seq__isnull=True, object_repr="未链接0")
    # Dated back past the grace period (its row MAC recomputed, as the application would
    # have written it then): a linker that stopped is found.
    old = timezone.now() - chain.LINK_GRACE - dt.timedelta(minutes=1)
    spec = chain.Spec.of(AuditEntry)
    stale.at = old
    _behind_the_back("UPDATE audit_auditentry SET at = %s, row_mac = %s WHERE id = %s",
                     [old, chain.row_mac(spec.content_of(stale)), stale.pk])  # fmt: skip
    code, out = _verify()
    assert code == 1 and f"第一处不符在 #{stale.pk}" in out and "仍未链入校验链" in out
    assert chain.link_all()["audit.auditentry"] >= 1  # the linker catches up: whole again
    assert _verify()[0] == 0


def test_a_row_inserted_behind_the_applications_back_is_never_linked(db):
    if connection.vendor != "postgresql":
        pytest.skip("raw insert with PostgreSQL's now()")
    _write(2)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (at, actor_name, action, model, object_id, object_repr, changes, path,"
            " request_id, chain, row_mac) VALUES (now(), '系统', 'update', 'units.unit', '1', '伪造', '{}', '', '',"
            " '', %s) RETURNING id",
            ["0" * 64],
        )
        (forged,) = cursor.fetchone()
    _write(1)  # the linker runs, links the next genuine row and leaves the forged one out
    assert AuditEntry.objects.get(pk=forged).chain_seq is None
    code, out = _verify(grace_minutes=0)
    assert code == 1 and f"第一处不符在 #{forged}" in out and "行校验值不符" in out


def test_the_database_lets_only_the_linker_set_the_chain_once(db):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's here")
    from django.db import DatabaseError

    _write(1, link=False)
    row = AuditEntry.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        # the chain value with another change: refused
        cursor.execute("UPDATE audit_auditentry SET chain = 'x', chain_seq = 1, object_repr = '改' WHERE id = %s",
                       [row.pk])  # fmt: skip
    chain.link_all()
    row.refresh_from_db()
    assert row.chain and row.chain_seq
    for sql in ("UPDATE audit_auditentry SET chain = 'y' WHERE id = %s",
                "UPDATE audit_auditentry SET chain = '', chain_seq = NULL WHERE id = %s"):  # fmt: skip
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert chain.link_all()["audit.auditentry"] == 0  # twice: nothing more to do


def test_the_periodic_task_links_what_no_commit_linked(db):
    from audit.tasks import link_chains

    _write(3, link=False)
    assert link_chains()["audit.auditentry"] == 3
    assert link_chains()["audit.auditentry"] == 0
    assert list(AuditEntry.objects.order_by("chain_seq").values_list("object_repr", flat=True)) == [
        "事项0", "事项1", "事项2"
    ]  # fmt: skip
