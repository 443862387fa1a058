"""The search index becomes an expression index over the item's text (issue 18).

0008 stored each item's grams as a tsvector column and indexed it. A tsvector of an
item's ~800 distinct grams is 7 KB, kept out of line (TOAST): the table's own pages are
tiny, so the planner priced a sequential scan of it at a few hundred units, chose it over
the GIN index, and then detoasted every item's grams (266 ms for one character at 20,000
items; bench/search.py). The planner cannot know that cost; it does know a function's.

Now the table keeps the item's text (`doc`: title, a newline, body), the GIN index is on
`submissions_search_grams(doc)`, and the function is declared COST 50000: it takes about
1.3 ms an item, and the planner's unit for an operator (cpu_operator_cost, 0.0025 of a
page read of some 10 µs) is about 25 ns. A scan that would compute the grams of every row
is priced as what it is, and the index is used at every volume. The text also
takes a third of the room of the grams. Items' moves still never touch this table.

Written in SQL of its own, not imported from the app, so that replaying it stays the same.
Filling `doc` and building the index read every item once (about 5 minutes at 200,000
items on two cores); writers of items wait for the table meanwhile.
"""

from django.db import migrations, models

FUNCTION = r"""
CREATE OR REPLACE FUNCTION submissions_search_grams(doc text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT COST 50000 AS $$
  SELECT array_to_tsvector(coalesce(array_agg(g), '{}')) FROM (
    SELECT ch, lead(ch) OVER (ORDER BY n) AS nx FROM string_to_table(doc, NULL) WITH ORDINALITY AS t(ch, n)
  ) s, LATERAL (VALUES (ch), (ch || nx)) AS v(g)
  WHERE ch !~ '[ \t\n\r\f\v\u00a0\u3000]' AND g IS NOT NULL AND (g = ch OR nx !~ '[ \t\n\r\f\v\u00a0\u3000]')
$$
"""
# string_to_table and lead() walk the text once: indexing a text[] by position in SQL
# costs O(n) per access (variable-width elements), O(n²) an item — 240 ms for 1,500 chars.
# array_to_tsvector sorts and drops repeated lexemes itself (no DISTINCT needed); grams
# leave out spaces, so a gram never spans one (search.words splits on the same spaces).

TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION submissions_item_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.confidentiality = 'sensitive' THEN
        DELETE FROM submissions_itemsearch WHERE item_id = NEW.id;
    ELSE
        INSERT INTO submissions_itemsearch (item_id, doc)
        VALUES (NEW.id, coalesce(NEW.title, '') || E'\\n' || coalesce(NEW.body, ''))
        ON CONFLICT (item_id) DO UPDATE SET doc = EXCLUDED.doc;
    END IF;
    RETURN NULL;
END
$$
"""

FORWARD = [
    TRIGGER_FUNCTION,
    "DROP FUNCTION IF EXISTS submissions_search_grams(text, text)",
    FUNCTION,
    # The rows are written anew into an empty table rather than UPDATEd: an UPDATE leaves
    # a dead copy of every row, and its HOT chains would mark the new index unusable to
    # any transaction older than this one (pg_index.indcheckxmin) — for as long as some
    # session keeps a transaction open.
    "TRUNCATE submissions_itemsearch",
    "INSERT INTO submissions_itemsearch (item_id, doc) SELECT id, coalesce(title, '') || E'\\n' || coalesce(body, '')"
    " FROM submissions_item WHERE confidentiality <> 'sensitive'",
    # The rows' foreign-key checks are deferred to commit; CREATE INDEX refuses a table
    # with checks pending, so they run now.
    "SET CONSTRAINTS ALL IMMEDIATE",
    "SET LOCAL maintenance_work_mem = '256MB'",
    "CREATE INDEX IF NOT EXISTS itemsearch_doc_gin ON submissions_itemsearch USING gin (submissions_search_grams(doc))",
]

BACKWARD = [
    "DROP INDEX IF EXISTS itemsearch_doc_gin",
    # Going back, 0008's function and trigger come back empty-handed: `manage.py
    # search_index` of that version refills the grams.
    "DROP FUNCTION IF EXISTS submissions_search_grams(text)",
    "DROP TRIGGER IF EXISTS item_search_upd ON submissions_item",
    "DROP TRIGGER IF EXISTS item_search_ins ON submissions_item",
    "DROP FUNCTION IF EXISTS submissions_item_search()",
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
    dependencies = [("submissions", "0010_drop_trigram_indexes")]
    operations = [
        # The grams column goes first (its index with it): the fill below writes only `doc`.
        migrations.RemoveField(model_name="itemsearch", name="grams"),
        migrations.AddField(model_name="itemsearch", name="doc", field=models.TextField(default=""), preserve_default=False),
        migrations.RunPython(forward, backward),
    ]
