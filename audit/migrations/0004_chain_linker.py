"""The chain is linked after commit (audit/chain.py): `chain_seq`, the chain's order, set
with `chain` once by the linker, and `row_mac`, each row's own HMAC-SM3, written with it.

Rows linked before (under the old per-write lock, in id order) get their id as sequence
number, so existing anchors (`through_id`, an id until now) keep meaning the same point.
The append-only trigger now lets exactly one change through: an unlinked row (no chain
value, no sequence number) given both, everything else unchanged. Pruning is as before."""

from django.db import migrations, models

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
DECLARE
    before text := current_setting('govinfo.audit_prune_before', true);
    unchanged audit_auditentry;
BEGIN
    IF TG_OP = 'DELETE' AND before IS NOT NULL AND before <> ''
       AND OLD.at < before::timestamptz AND OLD.at < now() - interval '184 days' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND OLD.chain = ''
       AND NEW.chain_seq IS NOT NULL AND NEW.chain <> '' THEN
        unchanged := NEW;
        unchanged.chain := OLD.chain;
        unchanged.chain_seq := OLD.chain_seq;
        IF unchanged IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;  -- the linker, once
        END IF;
    END IF;
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除 (audit record is append-only)';
END;
$$ LANGUAGE plpgsql;
"""
PG_NUMBER_LINKED = """
ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_change;
UPDATE audit_auditentry SET chain_seq = id WHERE chain <> '';
ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_no_change;
"""
PG_BACKWARD = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
DECLARE
    before text := current_setting('govinfo.audit_prune_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND before IS NOT NULL AND before <> ''
       AND OLD.at < before::timestamptz AND OLD.at < now() - interval '184 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除 (audit record is append-only)';
END;
$$ LANGUAGE plpgsql;
"""


def _sqlite_trigger(apps) -> str:
    # SQLite (development only): the same one change allowed, every other column compared.
    model = apps.get_model("audit", "AuditEntry")
    others = [f.column for f in model._meta.concrete_fields if f.column not in ("chain", "chain_seq")]
    same = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in others)
    return f"""
DROP TRIGGER IF EXISTS audit_entry_no_change;
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE ON audit_auditentry
WHEN NOT (OLD.chain_seq IS NULL AND OLD.chain = '' AND NEW.chain_seq IS NOT NULL AND NEW.chain <> '' AND {same})
BEGIN SELECT RAISE(ABORT, 'audit record is append-only'); END;
"""


SQLITE_BACKWARD = """
DROP TRIGGER IF EXISTS audit_entry_no_change;
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit record is append-only'); END;
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_NUMBER_LINKED)
        schema_editor.execute(PG_FUNCTION)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_entry_no_change")
        schema_editor.execute("UPDATE audit_auditentry SET chain_seq = id WHERE chain <> ''")
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
    dependencies = [("audit", "0003_chain_and_retention")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="chain_seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="row_mac",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=64, verbose_name="行校验值"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(condition=models.Q(("chain_seq__isnull", True)), fields=["id"], name="audit_unlinked_idx"),
        ),
        migrations.RunPython(forward, backward),
    ]
