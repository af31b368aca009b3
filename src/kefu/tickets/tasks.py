"""Background work for tickets."""

import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import IdempotencyKey

IDEMPOTENCY_DAYS = 7


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Keys after a week: a client retries within minutes, not weeks."""
    cutoff = timezone.now() - datetime.timedelta(days=IDEMPOTENCY_DAYS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
