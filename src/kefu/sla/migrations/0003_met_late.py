"""Repair the record: clocks stopped as met after their due time were a breach (met late) that
the old ``_stop`` recorded as on time. Mark them breached when they fell due, and add their
target to the ticket's ``sla_breached``. Idempotent: a second run finds nothing."""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce


def mark_met_late(apps, schema_editor):
    SlaClock = apps.get_model("sla", "SlaClock")
    Ticket = apps.get_model("tickets", "Ticket")
    late = SlaClock.objects.filter(
        state="met", breached_at__isnull=True, stopped_at__gt=F("due_at")
    )
    targets: dict[int, set[str]] = {}
    for ticket_id, target in late.values_list("ticket_id", "target").iterator(chunk_size=2000):
        targets.setdefault(ticket_id, set()).add(target)
    late.update(breached_at=F("due_at"), warned_at=Coalesce("warned_at", "warn_at"))
    ids = list(targets)
    for start in range(0, len(ids), 500):
        tickets = list(Ticket.objects.filter(pk__in=ids[start : start + 500]).only("sla_breached"))
        for t in tickets:
            known = list(t.sla_breached or [])
            t.sla_breached = known + sorted(targets[t.pk] - set(known))
        Ticket.objects.bulk_update(tickets, ["sla_breached"])


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_seed"), ("tickets", "0003_sla_fields")]
    operations = [migrations.RunPython(mark_met_late, migrations.RunPython.noop)]
