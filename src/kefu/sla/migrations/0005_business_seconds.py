"""Business time of each stopped clock, written when it stops (reports read a column)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    # The calendars are business rules (holidays, opening hours) in live code, so the backfill
    # uses it: it only reads clocks and writes the new column. Idempotent.
    from kefu.sla.services import fill_business_seconds

    fill_business_seconds()


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0004_special_case_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="slaclock",
            name="business_seconds",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
