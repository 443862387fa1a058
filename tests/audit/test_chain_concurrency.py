"""Audited writes do not queue for one another, and cannot deadlock on the chain: with two
real connections (threads), the chain's lock is taken only by the linker, after commit, in
its own short transaction (audit/chain.py).

Before, every audited write took a per-table advisory lock held to commit: B's write waited
for all of A's transaction, and A holding a row lock that B wanted, while B held the chain
lock that A wanted, was a deadlock PostgreSQL broke by failing one of them."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

import audit
from audit.models import AuditEntry
from tests.factories import UnitFactory
from units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db(transaction=True)


def _record(name: str) -> None:
    audit.record(action="export", model="tests.thing", object_id=name, object_repr=name, actor=None, unit=None)


def _threads(*targets) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(target) -> None:
        try:
            with connection.cursor() as cursor:  # a hang would fail the test, not stall the suite
                cursor.execute("SET lock_timeout = '10s'")
            target()
        except BaseException as exc:  # noqa: BLE001 (reported by the caller's assertion)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a writer is still waiting"
    return errors


def _verified() -> bool:
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=StringIO())
    except SystemExit:
        return False
    return "不符" not in out.getvalue() and "未链接" not in out.getvalue()


@pytest.fixture
def unit():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and the advisory lock are PostgreSQL's")
    return UnitFactory(name="测试单位", kind=UnitKind.PROVINCE_OFFICE, parent=None)


def test_an_audited_write_does_not_wait_for_another_open_transaction(unit):
    a_wrote, b_done = threading.Event(), threading.Event()
    waited: list[float] = []

    def a() -> None:
        with transaction.atomic():
            _record("A")
            a_wrote.set()
            b_done.wait(timeout=5)  # A stays open (a slow request) while B writes
            time.sleep(0.2)

    def b() -> None:
        a_wrote.wait(timeout=10)
        started = time.monotonic()
        with transaction.atomic():
            _record("B")
        waited.append(time.monotonic() - started)
        b_done.set()

    assert _threads(a, b) == []
    assert waited and waited[0] < 2, f"B waited {waited[0]:.1f} s for A's transaction"
    assert AuditEntry.objects.filter(object_id__in=["A", "B"]).count() == 2
    assert _verified()


def test_a_row_lock_and_the_chain_do_not_deadlock(unit):
    # A locks a row, then writes its audit row; B writes its audit row, then wants A's row.
    a_locked, b_wrote = threading.Event(), threading.Event()

    def a() -> None:
        with transaction.atomic():
            Unit.objects.select_for_update().get(pk=unit.pk)
            a_locked.set()
            b_wrote.wait(timeout=10)
            time.sleep(0.3)  # B is now waiting for the row
            _record("A")

    def b() -> None:
        a_locked.wait(timeout=10)
        with transaction.atomic():
            _record("B")
            b_wrote.set()
            Unit.objects.select_for_update().get(pk=unit.pk)  # waits for A's commit

    errors = _threads(a, b)
    assert errors == [], f"{errors[0]!r}"
    assert AuditEntry.objects.filter(object_id__in=["A", "B"]).count() == 2
    assert _verified()
