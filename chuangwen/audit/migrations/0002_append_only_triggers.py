from django.db import migrations

from chuangwen.audit import triggers


def create(apps, schema_editor):
    # Version 1: the permit table the current triggers consult only exists from 0003 on.
    triggers.apply(schema_editor.connection, create=True, permit=False)


def drop(apps, schema_editor):
    triggers.apply(schema_editor.connection, create=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
