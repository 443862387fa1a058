"""Chinese search through an index (issue 18): the item search table, the gram function,
the trigger that keeps the grams of every item's text (every writer, every path), and a
GIN index on them. On PostgreSQL only; other databases get the table and search by a scan.

The grams of the items already there are filled by migration 0009 (in batches), before
it builds the index: one index build is far cheaper than inserting into a GIN index row
by row.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# The SQL as this migration first wrote it, kept here (not imported from the app) so that
# a fresh database replays the same steps; 0011 replaces the function, trigger and index.
# The grams leave out spaces ([ \t\n\r\f\v\u00a0\u3000] below: a gram never spans
# one); Python's str.split() splits on each, so a query word never holds one, and the
# index has every gram of every word.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION submissions_search_grams(title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(coalesce(array_agg(DISTINCT g), '{}')) FROM (
    SELECT ch, lead(ch) OVER (ORDER BY n) AS nx
    FROM string_to_table(coalesce(title, '') || E'\n' || coalesce(body, ''), NULL) WITH ORDINALITY AS t(ch, n)
  ) s, LATERAL (VALUES (ch), (ch || nx)) AS v(g)
  WHERE ch !~ '[ \t\n\r\f\v\u00a0\u3000]' AND g IS NOT NULL AND (g = ch OR nx !~ '[ \t\n\r\f\v\u00a0\u3000]')
$$
"""
# string_to_table and lead() walk the text once: indexing a text[] by position in SQL
# costs O(n) per access (variable-width elements), O(n²) an item — 240 ms for 1,500 chars.

TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION submissions_item_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.confidentiality = 'sensitive' THEN
        DELETE FROM submissions_itemsearch WHERE item_id = NEW.id;
    ELSE
        INSERT INTO submissions_itemsearch (item_id, grams)
        VALUES (NEW.id, submissions_search_grams(NEW.title, NEW.body))
        ON CONFLICT (item_id) DO UPDATE SET grams = EXCLUDED.grams;
    END IF;
    RETURN NULL;
END
$$
"""
TRIGGERS = [
    "CREATE TRIGGER item_search_ins AFTER INSERT ON submissions_item"
    " FOR EACH ROW EXECUTE FUNCTION submissions_item_search()",
    # Only a change of the text or of 敏感 touches the grams: moves, edits of other fields
    # and a full save() that rewrites the same text cost nothing.
    "CREATE TRIGGER item_search_upd AFTER UPDATE OF title, body, confidentiality ON submissions_item"
    " FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body"
    " OR OLD.confidentiality IS DISTINCT FROM NEW.confidentiality) EXECUTE FUNCTION submissions_item_search()",
]
INDEX = "CREATE INDEX IF NOT EXISTS itemsearch_grams_gin ON submissions_itemsearch USING gin (grams)"
DROP = [
    "DROP TRIGGER IF EXISTS item_search_upd ON submissions_item",
    "DROP TRIGGER IF EXISTS item_search_ins ON submissions_item",
    "DROP FUNCTION IF EXISTS submissions_item_search()",
    "DROP FUNCTION IF EXISTS submissions_search_grams(text, text)",
]




def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in [FUNCTION, TRIGGER_FUNCTION, *TRIGGERS]:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("submissions", "0007_desk_counts")]
    operations = [
        migrations.CreateModel(
            name="ItemSearch",
            fields=[
                (
                    "item",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="submissions.item",
                    ),
                ),
                ("grams", django.contrib.postgres.search.SearchVectorField()),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
