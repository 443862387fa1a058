"""The default list of instruction levels (configurable in admin)."""

from django.db import migrations

LEVELS = ["国务院领导", "国办", "省政府领导", "省政府办公厅", "市政府领导", "市政府办公室", "县（区）政府领导"]


def load(apps, schema_editor):
    InstructionLevel = apps.get_model("publications", "InstructionLevel")
    for order, name in enumerate(LEVELS):
        InstructionLevel.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("publications", "0006_instructionlevel_instruction_instructionhandler_and_more")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
