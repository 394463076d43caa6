"""The attributes every city starts with (chuangwen/api/open311/catalogue.py): every datatype of
the spec appears in a service definition."""

from django.db import migrations

from chuangwen.api.open311.catalogue import ensure_attributes


def load(apps, schema_editor):
    ensure_attributes(apps.get_model("problems", "Category"), apps.get_model("open311", "ServiceAttribute"))


class Migration(migrations.Migration):
    dependencies = [("open311", "0001_open311"), ("problems", "0002_catalogue")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
