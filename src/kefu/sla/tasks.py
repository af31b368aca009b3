"""The SLA sweep, every minute, once across all consumers (kefu.tasks.claim_period; and safe even
if two ran at once, see services.sweep). The escalations it queues are
services.escalate_breaches_task."""

import logging
import os

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.tasks import claim_period

from . import services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def sla_sweep() -> dict:
    """Fire due SLA warnings and breaches (and their escalations), on one consumer a minute."""
    minute = claim_period("sla_sweep", 60)
    if minute is None:
        log.info("SLA sweep skipped in pid %s: another consumer swept this minute", os.getpid())
        return {"skipped": "another consumer swept this minute"}
    report = services.sweep()
    log.info("SLA sweep of minute %s ran in pid %s", minute, os.getpid())
    return {**report, "minute": minute}
