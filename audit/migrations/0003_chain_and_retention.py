"""The audit record's chain column (audit/chain.py), the anchors where a pruned chain
starts again, and the one way a row may leave the record on PostgreSQL: a DELETE in a
transaction that called audit_allow_prune(before), for rows older than `before` and in
any case older than 184 days (the floor of AUDIT_RETENTION_DAYS), whatever the
application asks. Updates stay refused; anchors are append-only too."""


import django.utils.timezone
from django.db import migrations, models



PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_allow_prune(before timestamptz) RETURNS void AS $$
    SELECT set_config('govinfo.audit_prune_before', before::text, true);
$$ LANGUAGE sql;
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
DECLARE
    before text := current_setting('govinfo.audit_prune_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND before IS NOT NULL AND before <> ''
       AND OLD.at < before::timestamptz AND OLD.at < now() - interval '184 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除 (audit record is append-only)';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION audit_chainanchor_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计归档记录只能追加 (chain anchors are append-only)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_chainanchor_no_change BEFORE UPDATE OR DELETE ON audit_chainanchor
    FOR EACH ROW EXECUTE FUNCTION audit_chainanchor_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_chainanchor_no_change ON audit_chainanchor;
DROP FUNCTION IF EXISTS audit_chainanchor_append_only();
DROP FUNCTION IF EXISTS audit_allow_prune(timestamptz);
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除 (audit record is append-only)';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='chain',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='校验值'),
        ),
        migrations.CreateModel(
            name='ChainAnchor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('chain', models.CharField(max_length=60, verbose_name='链')),
                ('through_id', models.BigIntegerField(verbose_name='截至编号')),
                ('value', models.CharField(max_length=64, verbose_name='截至校验值')),
                ('before', models.DateTimeField(verbose_name='归档截止时间')),
                ('rows', models.PositiveIntegerField(verbose_name='归档行数')),
                ('archive_name', models.CharField(max_length=200, verbose_name='归档文件')),
                ('archive_sm3', models.CharField(max_length=64, verbose_name='归档文件 SM3')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
            ],
            options={
                'verbose_name': '审计归档记录',
                'verbose_name_plural': '审计归档记录',
                'constraints': [models.UniqueConstraint(fields=('chain', 'through_id'), name='chain_anchor_unique')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
