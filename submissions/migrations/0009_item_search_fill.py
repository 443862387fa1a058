"""Grams for the items written before the search index, then its GIN index.

Not atomic: each batch commits, so a long fill holds no lock for its whole length and an
interrupted one resumes where it stopped (also by `manage.py search_index`). Items
written meanwhile get their grams from the trigger of 0008.
"""

from django.db import migrations

INDEX = "CREATE INDEX IF NOT EXISTS itemsearch_grams_gin ON submissions_itemsearch USING gin (grams)"
# The fill as this migration first ran it, in SQL of its own (0011 changes the table).
MISSING = (
    "SELECT id FROM submissions_item i WHERE id > %s AND confidentiality <> 'sensitive'"
    " AND NOT EXISTS (SELECT 1 FROM submissions_itemsearch s WHERE s.item_id = i.id) ORDER BY id LIMIT 2000"
)
FILL = (
    "INSERT INTO submissions_itemsearch (item_id, grams) SELECT id, submissions_search_grams(title, body)"
    " FROM submissions_item WHERE id = ANY(%s) AND confidentiality <> 'sensitive' ON CONFLICT (item_id) DO NOTHING"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        connection, after = schema_editor.connection, 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(MISSING, [after])
                ids = [row[0] for row in cursor.fetchall()]
                if not ids:
                    break
                cursor.execute(FILL, [ids])
            after = ids[-1]
        schema_editor.execute(INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS itemsearch_grams_gin")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("submissions", "0008_item_search")]
    operations = [migrations.RunPython(forward, backward)]
