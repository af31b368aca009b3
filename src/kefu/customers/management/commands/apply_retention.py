"""kefu manage apply_retention [--years N] [--dry-run]: anonymise long-inactive customers."""

import json

from django.core.management.base import BaseCommand

from kefu.customers import datarights


class Command(BaseCommand):
    help = "Anonymise customers with no activity for N years (default KEFU_RETENTION_YEARS)."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true", help="report only; change nothing")

    def handle(self, *args, years=None, dry_run=False, **options):
        report = datarights.apply_retention(years=years, dry_run=dry_run)
        self.stdout.write(json.dumps(report, ensure_ascii=False))
