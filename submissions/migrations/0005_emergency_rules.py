"""Default written-report deadlines for emergencies by grade (configurable in admin)."""

from django.db import migrations

DEFAULTS = {"especially_major": 30, "major": 60, "large": 120, "general": 360}


def load(apps, schema_editor):
    EmergencyRule = apps.get_model("submissions", "EmergencyRule")
    for grade, minutes in DEFAULTS.items():
        EmergencyRule.objects.get_or_create(grade=grade, defaults={"written_minutes": minutes})


class Migration(migrations.Migration):
    dependencies = [("submissions", "0004_emergencyrule_item_forwarded_from_item_report_kind_and_more")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
