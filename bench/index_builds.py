"""What each secondary index of the bulk tables costs to build, one at a time; prints JSON.

    .venv/bin/python bench/index_builds.py --database-url postgres://…/kefu_1m [--top 25]
        [--maintenance-work-mem 256MB]

On a database filled by `kefu seed-bench` (never a shared one), drops and re-creates each
secondary index of the tables seed-bench loads (the same list it drops for a large load), one
after the other on one connection with no parallel workers, and prints the seconds of each and
their sum: the index phase's share of seed-bench's time, and which index to look at first.
The database ends with the same indexes it had."""

import argparse
import json
import time

import psycopg

TABLES = [
    "customers_customer",
    "customers_purchase",
    "tickets_ticket",
    "tickets_ticketevent",
    "sla_slaclock",
    "feedback_survey",
    "analytics_ticketfact",
    "analytics_clockfact",
    "analytics_eventfact",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--maintenance-work-mem", default="256MB")
    args = ap.parse_args()
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        indexes = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [TABLES],
        ).fetchall()
        conn.execute(f"SET maintenance_work_mem = '{args.maintenance_work_mem}'")
        conn.execute("SET max_parallel_maintenance_workers = 0")
        timings = []
        for name, ddl in indexes:
            conn.execute(f'DROP INDEX "{name}"')
            t0 = time.monotonic()
            conn.execute(ddl)
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
