"""The database itself refuses to change a ledger row, whatever code tries.

PostgreSQL refuses UPDATE and DELETE (TRUNCATE, which test set-up uses, is not a row
change); SQLite refuses UPDATE (its tests empty tables with DELETE)."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION scoring_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '积分台账只能追加，不能修改或删除 (ledger is append-only)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER scoring_ledger_no_update BEFORE UPDATE OR DELETE ON scoring_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION scoring_ledger_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS scoring_ledger_no_update ON scoring_ledgerentry;
DROP FUNCTION IF EXISTS scoring_ledger_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER scoring_ledger_no_update BEFORE UPDATE ON scoring_ledgerentry
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS scoring_ledger_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
