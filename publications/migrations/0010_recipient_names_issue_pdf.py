# Free-text recipients on distribution lists (issue 17) and the PDF.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0009_issue_sent_and_leader_levels"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="recipient",
            options={
                "ordering": ["publication", "kind", "sort_order", "pk"],
                "verbose_name": "分发范围",
                "verbose_name_plural": "分发范围",
            },
        ),
        migrations.AddField(
            model_name="recipient",
            name="name",
            field=models.CharField(
                blank=True,
                help_text="不在单位树中的接收方，如“省委、省政府领导”，只印在版记中",
                max_length=60,
                verbose_name="单位外的接收方",
            ),
        ),
        migrations.AddField(
            model_name="recipient",
            name="sort_order",
            field=models.PositiveIntegerField(
                default=0, help_text="同一行内按此排序，相同时按单位的排序", verbose_name="排序"
            ),
        ),
        migrations.AlterField(
            model_name="recipient",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="units.unit",
                verbose_name="单位",
            ),
        ),
        migrations.AddConstraint(
            model_name="recipient",
            constraint=models.UniqueConstraint(
                condition=models.Q(("name", ""), _negated=True),
                fields=("publication", "kind", "name"),
                name="recipient_unique_name",
            ),
        ),
        migrations.AddConstraint(
            model_name="recipient",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("unit__isnull", False), ("name", "")),
                    models.Q(("unit__isnull", True), models.Q(("name", ""), _negated=True)),
                    _connector="OR",
                ),
                name="recipient_unit_or_name",
                violation_error_message="请选择单位，或填写单位外的接收方，二者选一。",
            ),
        ),
        migrations.AddField(
            model_name="issue",
            name="pdf",
            field=models.FileField(blank=True, max_length=200, upload_to="issues/%Y/"),
        ),
    ]
