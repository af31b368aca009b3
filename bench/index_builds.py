"""What each secondary index of the bulk tables costs to build, one at a time; prints JSON.

    .venv/bin/python bench/index_builds.py --database-url postgres://…/kefu_1m [--top 25]
        [--maintenance-work-mem 256MB]

On a database filled by `kefu seed-bench` (never a shared one), drops and re-creates each
secondary index of the tables seed-bench loads (`kefu.web.seedbench.secondary_indexes`, the
ones it drops for a large load), one after the other on one connection with no parallel
workers, and prints the seconds of each and their sum: the index phase's share of seed-bench's
time, and which index to look at first. The database ends with the same indexes it had."""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
os.environ.setdefault("KEFU_VAR", tempfile.mkdtemp(prefix="kefu-bench-"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--maintenance-work-mem", default="256MB")
    args = ap.parse_args()
    os.environ["DATABASE_URL"] = args.database_url

    import django

    django.setup()
    from django.db import connection

    from kefu.web.seedbench import secondary_indexes

    timings = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('maintenance_work_mem', %s, false)", [args.maintenance_work_mem]
        )
        cursor.execute("SET max_parallel_maintenance_workers = 0")
        for name, ddl in secondary_indexes(cursor):
            cursor.execute(f'DROP INDEX "{name}"')
            t0 = time.monotonic()
            cursor.execute(ddl)
            timings.append((round(time.monotonic() - t0, 2), ddl))
    timings.sort(reverse=True)
    print(
        json.dumps(
            {
                "indexes": len(timings),
                "seconds_total": round(sum(t for t, _ in timings), 1),
                "maintenance_work_mem": args.maintenance_work_mem,
                "slowest": [{"seconds": t, "index": ddl} for t, ddl in timings[: args.top]],
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
