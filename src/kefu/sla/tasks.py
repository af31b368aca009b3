"""The SLA sweep, every minute, and the escalations it queues. Both are safe to run on every
consumer at once (see services.sweep and services.escalate_breaches)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_periodic_task(crontab(minute="*"))
def sla_sweep() -> dict:
    """Fire due SLA warnings and breaches (and their escalations)."""
    return services.sweep()


@db_task(retries=3, retry_delay=30)
def escalate_breaches(clock_ids: list[int]) -> int:
    """Climb one rung for the breaches a sweep marked (see services.escalate_breaches)."""
    return services.escalate_breaches(clock_ids)
