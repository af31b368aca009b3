"""Background work for the store registers."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="9", minute="5"))
def remind_overdue_found_items() -> int:
    """Every morning, tell the store managers of found items past their keeping period."""
    return services.remind_overdue_items()
