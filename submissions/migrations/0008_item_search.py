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

from submissions import search


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in [search.FUNCTION, search.TRIGGER_FUNCTION, *search.TRIGGERS]:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in search.DROP:
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
