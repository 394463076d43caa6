from django.db import migrations, models

from chuangwen.audit import triggers


def create(apps, schema_editor):
    triggers.apply(schema_editor.connection, create=True)


def back_to_v1(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for sql in triggers.POSTGRES_DROP_PERMIT:
                cursor.execute(sql)
    triggers.apply(schema_editor.connection, create=True, permit=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.CreateModel(
            name="ArchivePermit",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("upto", models.BigIntegerField()),
            ],
            options={
                "db_table": "audit_archive_permit",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="audit_permit_single_row")
                ],
            },
        ),
        migrations.AddField(model_name="head", name="archived_seq", field=models.BigIntegerField(default=0)),
        migrations.AddField(
            model_name="head", name="archived_mac", field=models.CharField(blank=True, default="", max_length=64)
        ),
        migrations.AddField(
            model_name="head", name="archive_seal", field=models.CharField(blank=True, default="", max_length=64)
        ),
        migrations.RunPython(create, back_to_v1),
    ]
