"""The points ledger carries the same chain as the audit record: rows written through the
scoring actions are linked, and audit_verify finds a ledger row altered behind the
application's back."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from audit import chain
from publications import actions as pub_actions
from scoring import actions
from scoring.models import LedgerEntry
from tests.submissions.helpers import submitted


def _verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def _ledger(writer, unit_approver, editor, pubs) -> list[LedgerEntry]:
    item = submitted(writer, unit_approver)
    pub_actions.adopt(item=item, user=editor, publication=pubs["special"], form="full", body="")
    actions.credit_instruction(
        item=item, level="省政府领导", ref="instruction:1", day=timezone.localdate(), user=editor
    )
    chain.link_all()  # what the commit would have done (a test's transaction never commits)
    return list(LedgerEntry.objects.order_by("pk"))


def test_ledger_rows_are_chained_and_verified_with_the_audit_record(writer, unit_approver, editor, pubs, scheme):
    rows = _ledger(writer, unit_approver, editor, pubs)
    assert len(rows) == 2 and all(len(r.chain) == 64 for r in rows)
    code, out = _verify()
    assert code == 0 and "scoring.ledgerentry: 2 行一致" in out and "audit.auditentry:" in out


def test_audit_verify_names_a_ledger_row_whose_points_were_changed_in_sql(writer, unit_approver, editor, pubs, scheme):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger and its switch are PostgreSQL's")
    rows = _ledger(writer, unit_approver, editor, pubs)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks, or ALTER refuses
        cursor.execute("ALTER TABLE scoring_ledgerentry DISABLE TRIGGER USER")
        cursor.execute("UPDATE scoring_ledgerentry SET points = 99 WHERE id = %s", [rows[0].pk])
        cursor.execute("ALTER TABLE scoring_ledgerentry ENABLE TRIGGER USER")
    code, out = _verify()
    assert code == 1 and f"scoring.ledgerentry: 第一处不符在 #{rows[0].pk}" in out
