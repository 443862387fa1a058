"""Indexes for the scoreboard's adoption and submission counts (issue 18), on tables of
other apps, so they live with their reader, like a view's query: PostgreSQL only, by SQL.

Measured in bench/scoring.py with 855,349 items and adoptions behind 1,000,000 ledger
entries: without them the counts of 昆明's 150 units read every item and adoption of the
office's five years and took 140 ms and 184 ms of a 415 ms scoreboard (bench/SCORING.md).

- Submissions: the office's items first submitted in the year, by unit, with 迟报: from
  the index alone (unit and is_late are included), not a scan of the office's items.
- Adoptions: the office's publications' adoptions of the year not withdrawn; partial, so
  a withdrawn adoption is not in it, and the id is included for the join to its sources.
- The unit of each source item from an index, not from the item's row: the items'
  table is the biggest the board touches, and its rows are seldom in memory.
"""

from django.db import migrations

INDEXES = {
    "scoring_board_item_submitted_idx": "submissions_item (office_id, first_submitted_at) INCLUDE (unit_id, is_late)",
    "scoring_board_adoption_idx": (
        "publications_adoption (publication_id, adopted_at) INCLUDE (id) WHERE withdrawn_at IS NULL"
    ),
    "scoring_board_item_unit_idx": "submissions_item (id) INCLUDE (unit_id)",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0008_ledger_chain_linker"),
        ("submissions", "0009_item_search_fill"),
        ("publications", "0010_recipient_names_issue_pdf"),
    ]
    operations = [migrations.RunPython(forward, backward)]
