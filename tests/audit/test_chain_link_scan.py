"""The linker after commit reads only from the oldest row its own transaction wrote, or
from the last linked row, whichever is older (audit/chain.py, link_pending's since_pk):
a scan from the first id would walk the dead index entries of every row linked since the
last vacuum, on every audited write (issue 18's load test). A row left behind by a
linker that found the lock taken is linked by the next one when newer than the last
linked row, else by the periodic task, which reads every row.

Tests in a transaction never commit: the after-commit callbacks are captured and run by
hand, or the linker is called as they would call it."""

from io import StringIO

from django.core.management import call_command

import audit
from audit import chain
from audit.models import AuditEntry


def _write(name: str) -> AuditEntry:
    audit.record(action="export", model="tests.thing", object_id=name, object_repr=name, actor=None, unit=None)
    return AuditEntry.objects.get(object_id=name)


def _linked(*rows: AuditEntry) -> list[bool]:
    return [AuditEntry.objects.get(pk=r.pk).chain_seq is not None for r in rows]


def _verified() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_after_commit_linker_starts_at_the_oldest_row_its_transaction_wrote(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    with monkeypatch.context() as m:  # an older row still unlinked (its linker found the lock taken)
        m.setattr(chain, "_schedule_link", lambda *args: None)
        _write("before")
    with django_capture_on_commit_callbacks() as callbacks:
        first, second = _write("first"), _write("second")
    linkers = [c for c in callbacks if isinstance(c, chain._LinkAfterCommit)]
    assert len(linkers) == 1 and linkers[0].since_pk == first.pk  # one per transaction and table
    linkers[0]()
    older = AuditEntry.objects.get(object_id="before")
    assert _linked(first, second) == [True, True]
    assert _linked(older) == [False]  # older than both bounds: the periodic task's
    chain.link_all()
    assert _linked(older) == [True]
    assert "不符" not in _verified()


def test_a_row_newer_than_the_last_linked_one_is_linked_by_the_next_linker(db):
    a = _write("a")
    chain.link_pending(AuditEntry, since_pk=a.pk)
    b = _write("b")  # its linker found the lock taken
    c = _write("c")
    assert chain.link_pending(AuditEntry, since_pk=c.pk) == 2  # c's linker reads from a, the last linked
    assert _linked(a, b, c) == [True, True, True]
    seqs = [AuditEntry.objects.get(pk=r.pk).chain_seq for r in (a, b, c)]
    assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2]
    assert "不符" not in _verified()


def test_rows_linked_out_of_id_order_still_verify(db):
    old, new = _write("old"), _write("new")
    chain.link_pending(AuditEntry, since_pk=new.pk)  # the newer transaction committed first
    assert _linked(old, new) == [False, True]
    chain.link_pending(AuditEntry)  # the periodic task
    assert AuditEntry.objects.get(pk=old.pk).chain_seq == AuditEntry.objects.get(pk=new.pk).chain_seq + 1
    out = _verified()
    assert "不符" not in out and "未链接" not in out
