"""Background work for after-sales."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import booking, stock


@db_periodic_task(crontab(hour="7", minute="10"))
def warn_three_guarantee_limits() -> int:
    """Every morning, warn before R-PARTS / R-REPAIRER-30 grant an exchange (each case once)."""
    return stock.warn_limits()


@db_periodic_task(crontab(hour="10", minute="0"))
def remind_bookings() -> int:
    """Every morning (outside SMS quiet hours), remind customers of tomorrow's delivery or
    installation through the notification pipeline."""
    return booking.remind_tomorrows_bookings()
