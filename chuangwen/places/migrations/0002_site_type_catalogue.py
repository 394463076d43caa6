"""The 26 site types every city starts with (chuangwen/places/catalogue.py)."""

from django.db import migrations

from chuangwen.places.catalogue import ensure_site_types


def load(apps, schema_editor):
    ensure_site_types(apps.get_model("places", "SiteType"))


class Migration(migrations.Migration):
    dependencies = [("places", "0001_places")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
