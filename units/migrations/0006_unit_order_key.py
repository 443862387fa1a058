"""Unit.order_key: the official order (排序号 at each level, then the tree) as one sortable
text, filled for the existing units from their paths and 排序号; units now list in it."""

from django.db import migrations, models


def fill_order_keys(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    # Parents before children, so each parent's key is known when its children's are made.
    units = list(Unit.objects.order_by("depth", "pk").only("pk", "parent_id", "sort_order"))
    keys: dict[int, str] = {}
    for unit in units:
        # The same text as units.models.order_segment (a migration keeps its own copy).
        unit.order_key = keys.get(unit.parent_id, "") + f"{unit.sort_order:010d}{unit.pk:010d}/"
        keys[unit.pk] = unit.order_key
    Unit.objects.bulk_update(units, ["order_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("units", "0005_password_policy")]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="order_key",
            field=models.CharField(db_index=True, default="", editable=False, max_length=500),
        ),
        migrations.RunPython(fill_order_keys, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="unit",
            options={"ordering": ["order_key"], "verbose_name": "单位", "verbose_name_plural": "单位"},
        ),
    ]
