"""The desk's state counts kept by the database (issue 18): a trigger on submissions_item
inserts a -1 row for the (office, state) an item leaves and a +1 row for the one it
enters, in the transaction that changes it, so every writer (the actions, an admin
edit, a bulk script) keeps them right. Filled once from the items as they are.

An update that touches neither the state, the office nor whether the item has a
submission time does not fire the trigger at all (its WHEN clause), so edits cost
nothing. Other databases than PostgreSQL get the table but no trigger: the desk counts
the items there (queries.desk_counts).
"""

from django.db import migrations, models

# Only items that reached an office count: those have a submission time (as desk_items).
FUNCTION = """
CREATE OR REPLACE FUNCTION submissions_desk_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.office_id IS NOT NULL AND OLD.submitted_at IS NOT NULL THEN
            INSERT INTO submissions_deskcount (office_id, state, n) VALUES (OLD.office_id, OLD.state, -1);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.office_id IS NOT NULL AND NEW.submitted_at IS NOT NULL THEN
            INSERT INTO submissions_deskcount (office_id, state, n) VALUES (NEW.office_id, NEW.state, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""
FORWARD = [
    FUNCTION,
    "CREATE TRIGGER item_desk_count_ins_del AFTER INSERT OR DELETE ON submissions_item"
    " FOR EACH ROW EXECUTE FUNCTION submissions_desk_count()",
    "CREATE TRIGGER item_desk_count_upd AFTER UPDATE OF state, office_id, submitted_at ON submissions_item"
    " FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.office_id IS DISTINCT FROM NEW.office_id"
    " OR (OLD.submitted_at IS NULL) <> (NEW.submitted_at IS NULL)) EXECUTE FUNCTION submissions_desk_count()",
    # The triggers above hold a lock that keeps writers out until this migration commits,
    # so the fill sees exactly the items the triggers will not.
    "INSERT INTO submissions_deskcount (office_id, state, n)"
    " SELECT office_id, state, COUNT(*) FROM submissions_item"
    " WHERE office_id IS NOT NULL AND submitted_at IS NOT NULL GROUP BY office_id, state",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS item_desk_count_upd ON submissions_item",
    "DROP TRIGGER IF EXISTS item_desk_count_ins_del ON submissions_item",
    "DROP FUNCTION IF EXISTS submissions_desk_count()",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("submissions", "0006_attachment_for_print")]
    operations = [
        migrations.CreateModel(
            name="DeskCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("office_id", models.IntegerField(db_index=True)),
                ("state", models.CharField(max_length=20)),
                ("n", models.IntegerField()),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
