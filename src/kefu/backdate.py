"""Backdating for the demo loader: run the real services as if it were another moment."""

import datetime
from contextlib import contextmanager

from django.utils import timezone


@contextmanager
def at(moment: datetime.datetime):
    """Run the services as if it were ``moment``: every timestamp they take from
    ``django.utils.timezone.now`` (auto_now fields, SLA clocks, surveys, orders, calls) is that
    moment, so a backdated history is written by the real services and stays consistent. For
    the single-threaded demo loader only: it swaps a module attribute, never use it in a
    request or a worker."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real
