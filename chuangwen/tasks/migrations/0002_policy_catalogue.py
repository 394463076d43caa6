"""The reward/penalty catalogue every city starts with (chuangwen/tasks/catalogue.py)."""

from django.db import migrations

from chuangwen.tasks.catalogue import ensure_catalogue


def load(apps, schema_editor):
    ensure_catalogue(apps.get_model("tasks", "RewardPolicy"))


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_tasks")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
