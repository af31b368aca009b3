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
        parser.add_argument(
            "--days", action="store_true", help="only rebuild the chain's days from the facts"
        )

    def handle(self, *args, since=None, days=False, **options):
        from django.utils import timezone

        start = None
        if since is not None:
            start = datetime.datetime.combine(
                since, datetime.time(), tzinfo=timezone.get_current_timezone()
            )
        t0 = time.perf_counter()
        if days:
            n = facts.rebuild_days()
            self.stdout.write(f"chain days rebuilt: {n} in {time.perf_counter() - t0:.1f} s")
            return
        done = facts.rebuild(start)
        self.stdout.write(
            f"report facts rebuilt for {done} tickets in {time.perf_counter() - t0:.1f} s"
        )
