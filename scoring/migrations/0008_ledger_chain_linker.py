"""The ledger's chain is linked after commit, as the audit record's (audit/chain.py and
audit migration 0004): `chain_seq` and `row_mac`; rows linked before get their id as
sequence number; the append-only trigger lets exactly one change through, an unlinked row
given its chain value and sequence number, everything else unchanged."""

from django.db import migrations, models

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION scoring_ledger_append_only() RETURNS trigger AS $$
DECLARE
    unchanged scoring_ledgerentry;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND OLD.chain = ''
       AND NEW.chain_seq IS NOT NULL AND NEW.chain <> '' THEN
        unchanged := NEW;
        unchanged.chain := OLD.chain;
        unchanged.chain_seq := OLD.chain_seq;
        IF unchanged IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;  -- the linker, once
        END IF;
    END IF;
    RAISE EXCEPTION '积分台账只能追加，不能修改或删除 (ledger is append-only)';
END;
$$ LANGUAGE plpgsql;
"""
PG_NUMBER_LINKED = """
ALTER TABLE scoring_ledgerentry DISABLE TRIGGER scoring_ledger_no_update;
UPDATE scoring_ledgerentry SET chain_seq = id WHERE chain <> '';
ALTER TABLE scoring_ledgerentry ENABLE TRIGGER scoring_ledger_no_update;
"""
PG_BACKWARD = """
CREATE OR REPLACE FUNCTION scoring_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '积分台账只能追加，不能修改或删除 (ledger is append-only)';
END;
$$ LANGUAGE plpgsql;
"""


def _sqlite_trigger(apps) -> str:
    # SQLite (development only): the same one change allowed, every other column compared.
    model = apps.get_model("scoring", "LedgerEntry")
    others = [f.column for f in model._meta.concrete_fields if f.column not in ("chain", "chain_seq")]
    same = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in others)
    return f"""
DROP TRIGGER IF EXISTS scoring_ledger_no_update;
CREATE TRIGGER scoring_ledger_no_update BEFORE UPDATE ON scoring_ledgerentry
WHEN NOT (OLD.chain_seq IS NULL AND OLD.chain = '' AND NEW.chain_seq IS NOT NULL AND NEW.chain <> '' AND {same})
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
"""


SQLITE_BACKWARD = """
DROP TRIGGER IF EXISTS scoring_ledger_no_update;
CREATE TRIGGER scoring_ledger_no_update BEFORE UPDATE ON scoring_ledgerentry
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_NUMBER_LINKED)
        schema_editor.execute(PG_FUNCTION)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS scoring_ledger_no_update")
        schema_editor.execute("UPDATE scoring_ledgerentry SET chain_seq = id WHERE chain <> ''")
        _execute_all(schema_editor, _sqlite_trigger(apps))


def _execute_all(schema_editor, script: str) -> None:
    # One statement at a time; a trigger's body ends "; END" on its line.
    for statement in script.split(";\n"):
        if statement.strip():
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        _execute_all(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0007_ledger_chain")]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="chain_seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="row_mac",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=64, verbose_name="行校验值"),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(condition=models.Q(("chain_seq__isnull", True)), fields=["id"], name="ledger_unlinked_idx"),
        ),
        migrations.RunPython(forward, backward),
    ]
