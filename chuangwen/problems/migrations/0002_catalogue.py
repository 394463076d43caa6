"""The categories and time limits every city starts with (chuangwen/problems/catalogue.py)."""

from django.db import migrations

from chuangwen.problems.catalogue import ensure_catalogue


def load(apps, schema_editor):
    ensure_catalogue(apps.get_model("problems", "Category"), apps.get_model("problems", "TimeLimit"))


class Migration(migrations.Migration):
    dependencies = [("problems", "0001_problems")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
