"""Benchmark the summary report on PostgreSQL with 1,000,000 tickets; prints JSON.

.venv/bin/python bench/report_summary.py [--tickets 1000000] [--stores 40] [--keep] [--runs 5]
    [--direct]

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/kefu_report_bench),
dropped and rebuilt unless --keep reuses it. A chain of --stores stores in 5 regions; the tickets
spread over the last 365 days (a chain's year; a 90-day report reads about a quarter of them),
each with its first-response and resolution clocks (met on time, met late, breached, running;
business seconds set), one to three public replies, some reopened, some escalated (automatic and
manual), and a survey for a third of the resolved. Rows are inserted with generate_series in SQL,
secondary indexes rebuilt after, then the report facts built (the backfill, timed; also with
--keep when they are missing). Times kefu.analytics.selectors.summary in-process (what
GET /api/v1/reports/summary runs), warm, median of --runs: the whole chain over 90 days as the CS
manager, and one store over 90 days as its store manager; with the queries' count and the
slowest statements. --direct times the summary computed from the source rows (the figures
before the facts).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kefu_report_bench"
TABLES = ("tickets_ticket", "sla_slaclock", "tickets_ticketevent", "feedback_survey")


def populate(n: int, n_stores: int, now) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from kefu.customers.models import Customer
    from kefu.org.models import Region, Staff, Store

    regions = [Region.objects.create(code=f"r{i}", name=f"大区{i}") for i in range(5)]
    stores = [
        Store.objects.create(code=f"S{i:03d}", name=f"门店{i:03d}", region=regions[i % 5])
        for i in range(n_stores)
    ]
    User = get_user_model()
    for username, role, store in (
        ("cs_manager", "cs_manager", None),
        ("manager", "store_manager", stores[0]),
        ("agent", "cs_agent", None),
    ):
        user = User.objects.create(username=username)
        Staff.objects.create(user=user, role=role, display_name=username, store=store)
    customer = Customer.objects.create(name="张伟", phone="13900000000")
    agent = User.objects.get(username="agent").pk
    params = {"n": n, "now": now, "customer": customer.pk, "stores": n_stores, "agent": agent}
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT indexdef, indexname FROM pg_indexes i
            WHERE tablename = ANY(%s) AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)
            """,
            [list(TABLES)],
        )
        indexes = cur.fetchall()
        for _definition, name in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SELECT setseed(0.42)")
        cur.execute(
            "CREATE TEMP TABLE bench_store AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, region_id FROM org_store"
        )
        # Tickets: opened over the last year at office-ish hours; 85% resolved, answered after
        # 5 minutes to 30 hours, resolved after 1 hour to 10 days.
        cur.execute(
            """
            INSERT INTO tickets_ticket (id, number, type, channel, status, priority, priority_rank, store_id,
                region_id, escalation_tier, customer_id, subject, description, created_at, updated_at, version,
                tracking_token, search_text, sla_policy, sla_breached, first_response_at, resolved_at, assignee_id)
            SELECT i, 'KF-B-' || i,
                   (ARRAY['consultation','fault_report','complaint','return_exchange','installation'])[1 + i %% 5],
                   (ARRAY['phone','web','email','chat'])[1 + (i / 5) %% 4],
                   CASE WHEN r.res THEN 'resolved' ELSE (ARRAY['new','open','pending_customer'])[1 + i %% 3] END,
                   'normal', 2, s.id, s.region_id,
                   CASE WHEN i %% 20 = 0 THEN 'store_manager' ELSE 'store_staff' END,
                   %(customer)s, '冰箱不制冷', '', r.opened, r.opened, 1, 'bench-' || i, '', 'default',
                   '[]'::jsonb, r.opened + r.fr, CASE WHEN r.res THEN r.opened + r.fr + r.rs END, %(agent)s
            FROM generate_series(1, %(n)s) AS i
            JOIN bench_store s ON s.k = i %% %(stores)s,
            LATERAL (SELECT date_trunc('day', %(now)s - (random() * 365 + 0 * i) * interval '1 day')
                              + (9 + random() * 11) * interval '1 hour' AS opened,
                            random() + 0 * i < 0.85 AS res,
                            (5 + random() * random() * 1800 + 0 * i) * interval '1 minute' AS fr,
                            (60 + random() * random() * 14400 + 0 * i) * interval '1 minute' AS rs) AS r
            """,
            params,
        )
        cur.execute("SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), %s)", [n])
        cur.execute(
            """
            INSERT INTO sla_slaclock (ticket_id, target, state, calendar, follows_holder, target_minutes,
                started_at, warn_at, due_at, paused_seconds, escalation_pending, stopped_at, breached_at,
                business_seconds)
            SELECT t.id, c.target, c.state, c.calendar, false, c.minutes, t.created_at,
                   t.created_at + c.minutes * interval '45 second', t.created_at + c.minutes * interval '1 minute',
                   0, false, c.stopped,
                   CASE WHEN c.stopped IS NULL THEN NULL
                        WHEN c.stopped > t.created_at + c.minutes * interval '1 minute'
                        THEN t.created_at + c.minutes * interval '1 minute' END,
                   CASE WHEN c.stopped IS NOT NULL
                        THEN (extract(epoch FROM c.stopped - t.created_at) * 0.45)::int END
            FROM tickets_ticket t,
            LATERAL (VALUES
                ('first_response', 'always', 1440, CASE WHEN t.first_response_at IS NOT NULL THEN 'met' ELSE 'running' END,
                 t.first_response_at),
                ('resolution', 'store', 4320, CASE WHEN t.resolved_at IS NOT NULL THEN 'met' ELSE 'running' END,
                 t.resolved_at)) AS c(target, calendar, minutes, state, stopped)
            """,
            params,
        )
        # Replies (one for most, two or three for some), reopenings, escalations.
        cur.execute(
            """
            INSERT INTO tickets_ticketevent (ticket_id, kind, public, body, data, created_at, actor_id)
            SELECT t.id, 'reply', true, '您好，已为您处理。', '{}'::jsonb,
                   t.first_response_at + (g - 1) * interval '3 hour', %(agent)s
            FROM tickets_ticket t, generate_series(1, 3) AS g
            WHERE g = 1 OR (g = 2 AND t.id %% 3 = 0) OR (g = 3 AND t.id %% 7 = 0)
            """,
            params,
        )
        cur.execute(
            """
            INSERT INTO tickets_ticketevent (ticket_id, kind, public, body, data, created_at, actor_id)
            SELECT id, 'status', false, '', '{"from": "resolved", "to": "open", "reopened": true}'::jsonb,
                   resolved_at - interval '1 hour', NULL
            FROM tickets_ticket WHERE resolved_at IS NOT NULL AND id %% 17 = 0
            """,
            params,
        )
        cur.execute(
            """
            INSERT INTO tickets_ticketevent (ticket_id, kind, public, body, data, created_at, actor_id)
            SELECT id, 'escalated', false, '',
                   jsonb_build_object('tier', 'store_manager', 'automatic', id %% 40 = 0,
                                      'cause', CASE WHEN id %% 40 = 0 THEN 'sla_breach' END),
                   created_at + interval '26 hour', NULL
            FROM tickets_ticket WHERE id %% 20 = 0
            """,
            params,
        )
        cur.execute(
            """
            INSERT INTO feedback_survey (token, created_at, expires_at, answered_at, csat, comment, region_id,
                                         store_id, ticket_id)
            SELECT 'bench-' || id, resolved_at, resolved_at + interval '14 day',
                   CASE WHEN id %% 2 = 0 THEN resolved_at + interval '5 hour' END,
                   CASE WHEN id %% 2 = 0 THEN 1 + (id / 3) %% 5 END, '', region_id, store_id, id
            FROM tickets_ticket WHERE resolved_at IS NOT NULL AND id %% 3 = 0
            """,
            params,
        )
        for definition, _name in indexes:
            cur.execute(definition)
        for table in TABLES:
            cur.execute(f"ANALYZE {table}")


def timed(fn, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm: caches, connection, plans
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as queries:
        fn()
    slow = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]
    return {
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "queries": len(queries),
        "slowest": [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:160]} for q in slow],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--stores", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse an existing bench database")
    parser.add_argument(
        "--direct", action="store_true", help="time the summary from the source rows (no facts)"
    )
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("KEFU_VAR", tempfile.mkdtemp(prefix="kefu-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sla_sweep import recreate_database

    created = recreate_database(url, args.keep)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from kefu.analytics import selectors
    from kefu.tickets.models import Ticket

    now = timezone.now().replace(microsecond=0)
    t0 = time.perf_counter()
    if created:
        call_command("migrate", verbosity=0)
        populate(args.tickets, args.stores, now)
    setup_seconds = round(time.perf_counter() - t0, 1)
    # The report facts (kefu/analytics/facts.py): the rows above were inserted without timeline
    # events, so they are built here as `manage report_facts` would (the backfill).
    from kefu.analytics import facts
    from kefu.analytics.models import TicketFact

    backfill_seconds = None
    if TicketFact.objects.count() != Ticket.objects.count():
        t0 = time.perf_counter()
        facts.rebuild()
        backfill_seconds = round(time.perf_counter() - t0, 1)
    User = get_user_model()
    today = timezone.localdate()
    period = selectors.make_period(today - timedelta(days=89), today)

    def chain():
        scope = selectors.scope_for(User.objects.get(username="cs_manager"))
        return selectors.summary(selectors.Report(scope, period), direct=args.direct)

    def store():
        scope = selectors.scope_for(User.objects.get(username="manager"))
        return selectors.summary(selectors.Report(scope, period), direct=args.direct)

    answer = chain()
    print(
        json.dumps(
            {
                "bench": "report_summary",
                "database": connection.vendor,
                "server": connection.cursor().connection.info.server_version,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average_1m": os.getloadavg()[0],
                "tickets": Ticket.objects.count(),
                "setup_seconds": setup_seconds,
                "facts_backfill_seconds": backfill_seconds,
                "period": period.as_json(),
                "direct": args.direct,
                "opened_in_period_chain": answer["opened"],
                "opened_in_period_store": store()["opened"],
                "chain_90_days": timed(chain, args.runs),
                "store_90_days": timed(store, args.runs),
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
