"""The SLA sweep, every minute, safe to run on every consumer at once (see services.sweep). The
escalations it queues are services.escalate_breaches_task."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*"))
def sla_sweep() -> dict:
    """Fire due SLA warnings and breaches (and their escalations)."""
    return services.sweep()
