"""Indexes the scoreboard reads from (measured in bench/scoring.py on 1,000,000 rows):
a covering index lets the per-unit, per-month sums come from the index alone, and the
rule index finds vetoing penalties without a scan."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("scoring", "0003_upperadoptionrule")]
    operations = [
        # Superseded by the covering index below, which has the same leading columns.
        migrations.RemoveIndex(model_name="ledgerentry", name="ledger_scheme_unit_idx"),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                fields=["scheme", "unit", "date"], include=["points", "source"], name="ledger_cover_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry", index=models.Index(fields=["scheme", "rule"], name="ledger_scheme_rule_idx")
        ),
    ]
