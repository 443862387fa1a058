"""On PostgreSQL, trigram GIN indexes let the desk's substring search (LIKE '%…%') use
an index for queries of three or more characters. Other databases skip this."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS item_title_trgm ON submissions_item USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS item_body_trgm ON submissions_item USING gin (body gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS item_title_trgm", "DROP INDEX IF EXISTS item_body_trgm"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("submissions", "0002_categories")]
    operations = [migrations.RunPython(forward, backward)]
