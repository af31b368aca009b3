"""Seed business calendars, SLA policies from kefu/sla/data."""

from django.db import migrations


def seed(apps, schema_editor):
    # Special-case words were seeded here once; rules replaced them in 0003.
    from kefu.sla.seed import seed_calendars, seed_policies

    seed_calendars(apps.get_model("sla", "Calendar"))
    seed_policies(apps.get_model("sla", "SlaPolicy"))


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
