"""Drop the trigram GIN indexes of 0003 on PostgreSQL.

Search now goes through the character-gram index of 0008 (submissions/search.py), which
answers words of any length; the trigram indexes served only LIKE on words of three or more
characters. They indexed the ciphertext of 敏感 items too, where no search can use them:
11.6 ms of the 12.5 ms per item that key rotation paid (bench/README.md), and about 1 ms of
every write of a plain item. The extension stays: dropping it would need rights the application's
role may not have, and it costs nothing unused.
"""

from django.db import migrations

FORWARD = ["DROP INDEX IF EXISTS item_title_trgm", "DROP INDEX IF EXISTS item_body_trgm"]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS item_title_trgm ON submissions_item USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS item_body_trgm ON submissions_item USING gin (body gin_trgm_ops)",
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
    dependencies = [("submissions", "0009_item_search_fill")]
    operations = [migrations.RunPython(forward, backward)]
