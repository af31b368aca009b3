"""Seed business calendars, SLA policies and special-case trigger words from kefu/sla/data."""

from django.db import migrations


def seed(apps, schema_editor):
    from kefu.sla.seed import seed_all

    seed_all(apps)


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
