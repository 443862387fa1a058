"""Grams for the items written before the search index, then its GIN index.

Not atomic: each batch commits, so a long fill holds no lock for its whole length and an
interrupted one resumes where it stopped (also by `manage.py search_index`). Items
written meanwhile get their grams from the trigger of 0008.
"""

from django.db import migrations

from submissions import search


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        search.backfill(log=print)
        schema_editor.execute(search.INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS itemsearch_grams_gin")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("submissions", "0008_item_search")]
    operations = [migrations.RunPython(forward, backward)]
