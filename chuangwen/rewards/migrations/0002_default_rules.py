"""The rules and the escalation ladder every city starts with (chuangwen/rewards/catalogue.py)."""

from django.db import migrations

from chuangwen.rewards.catalogue import ensure_defaults


def load(apps, schema_editor):
    ensure_defaults(apps.get_model("rewards", "Rule"), apps.get_model("rewards", "Ladder"))


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_rewards")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
