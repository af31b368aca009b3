"""Seeded defaults (edit them in the admin): the survey's three questions (the seeds' 及时 /
态度 / 解决), the two call rules, the approval limits per role, and the settings row. The values
live in kefu/feedback/data/defaults.v1.json; this migration loads that version by name."""

from django.db import migrations


def seed(apps, schema_editor):
    from kefu.feedback.seed import seed_defaults

    seed_defaults(apps, "defaults.v1.json")


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
