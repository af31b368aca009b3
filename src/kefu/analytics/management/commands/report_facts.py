"""Rebuild the summary report's facts (kefu/analytics/facts.py): the backfill after the
migration, or after rows were bulk-loaded without timeline events. Idempotent."""

import datetime
import time

from django.core.management.base import BaseCommand

from kefu.analytics import facts


class Command(BaseCommand):
    help = "Rebuild the report facts of every ticket (or of those opened since --since)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=datetime.date.fromisoformat, default=None)

    def handle(self, *args, since=None, **options):
        from django.utils import timezone

        start = None
        if since is not None:
            start = datetime.datetime.combine(
                since, datetime.time(), tzinfo=timezone.get_current_timezone()
            )
        t0 = time.perf_counter()
        done = facts.rebuild(start)
        self.stdout.write(
            f"report facts rebuilt for {done} tickets in {time.perf_counter() - t0:.1f} s"
        )
