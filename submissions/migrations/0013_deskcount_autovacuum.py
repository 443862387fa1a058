"""Vacuum the desk count rows often (issue 18).

The desk folds an office's count rows into one per state once they pile up (queries.
desk_counts), deleting the rest: a table of few live rows and many dead ones. Until a
vacuum, every read of the counts still visits the dead rows through the index (a bitmap
scan does not mark them dead): 7.6 ms for an office at 200,000 items after the seeder's
folds left 152,000 of them, against under 0.1 ms after VACUUM. By default autovacuum waits
for a fifth of the table to be dead; here it runs after every thousand. PostgreSQL only.
"""

from django.db import migrations

FORWARD = (
    "ALTER TABLE submissions_deskcount SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,"
    " autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000)"
)
BACKWARD = (
    "ALTER TABLE submissions_deskcount RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,"
    " autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("submissions", "0012_unit_state_counts_index")]
    operations = [migrations.RunPython(forward, backward)]
