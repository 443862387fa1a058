"""Load the guide's categories (see submissions/categories.py)."""

from django.db import migrations

from submissions.categories import ensure_categories


def load(apps, schema_editor):
    ensure_categories(apps.get_model("submissions", "Category"))


class Migration(migrations.Migration):
    dependencies = [("submissions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
