"""Background work for customers: retention (PIPL)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import datarights


@db_periodic_task(crontab(minute="41", hour="2"))
def apply_retention() -> dict:
    """Anonymise customers with no activity for KEFU_RETENTION_YEARS years. Idempotent: an
    anonymised customer is never touched again."""
    return datarights.apply_retention()
