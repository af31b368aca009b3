"""Benchmark one SLA sweep on PostgreSQL: 1,000,000 open tickets, 1,000 of them due; prints JSON.

.venv/bin/python bench/sla_sweep.py [--tickets 1000000] [--due 1000] [--escalating 0.2] [--keep]

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/kefu_bench),
dropped and rebuilt unless --keep reuses it (then only the due tickets are re-armed, in seconds).
Tickets and their clocks are inserted with generate_series in SQL, secondary indexes rebuilt after.
The due ones are a mix: warnings (75% reached),
breaches that only notify the next rung, and complaint breaches whose escalation the sweep queues.
Reports the sweep's time, what it did, the queries it ran (database time by statement), a check
that it touched only the due tickets, the plan of the query that finds them, and then the time of
the queued escalation task (one rung each through tickets.services.escalate), run in-process.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402
from urllib.parse import urlparse, urlunparse  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kefu_bench"


def recreate_database(url: str, keep: bool) -> bool:
    """Create the bench database (drop it first unless keep). True when it was (re)created."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if name in ("", "postgres", "test", "kefu"):
        raise SystemExit(
            f"refusing to use database {name!r}: give the bench its own (e.g. kefu_bench)"
        )
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and keep:
            return False
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def populate(n_tickets: int, now) -> None:
    """Chain, people, n_tickets open tickets with two running clocks each, none due for weeks.

    Secondary indexes are dropped for the bulk insert and rebuilt after (minutes become seconds)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from kefu.customers.models import Customer
    from kefu.org.models import Region, Staff, Store

    region = Region.objects.create(code="east", name="华东")
    store = Store.objects.create(code="SH001", name="上海徐家汇店", region=region)
    User = get_user_model()
    for username, role in (
        ("staff_a", "store_staff"),
        ("staff_b", "store_staff"),
        ("manager", "store_manager"),
        ("region", "regional_manager"),
        ("cs_manager", "cs_manager"),
    ):
        user = User.objects.create(username=username)
        Staff.objects.create(
            user=user,
            role=role,
            display_name=username,
            store=store if role.startswith("store") else None,
            region=region if role == "regional_manager" else None,
        )
    customer = Customer.objects.create(name="张伟", phone="13900000000")
    params = {
        "n": n_tickets,
        "now": now,
        "store": store.pk,
        "region": region.pk,
        "customer": customer.pk,
    }
    with connection.cursor() as cur:
        cur.execute("""
            SELECT indexdef, indexname FROM pg_indexes i
            WHERE tablename IN ('tickets_ticket', 'sla_slaclock') AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)
        """)
        indexes = cur.fetchall()
        for _definition, name in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute(
            """
            INSERT INTO tickets_ticket (id, number, type, channel, status, priority, priority_rank, store_id, region_id,
                escalation_tier, customer_id, subject, description, created_at, updated_at, version, tracking_token,
                search_text, sla_policy, sla_breached, first_response_due, resolution_due, sla_due, sla_warn_at,
                sla_next_due)
            SELECT i, 'KF-B-' || i, 'consultation', 'phone', CASE WHEN i %% 2 = 0 THEN 'open' ELSE 'new' END, 'normal', 2,
                   %(store)s, %(region)s, 'store_staff', %(customer)s, '冰箱不制冷', '', %(now)s - interval '20 hours',
                   %(now)s - interval '20 hours', 1, 'bench-' || i, '', 'default', '[]'::jsonb, d.due,
                   %(now)s + interval '40 days', d.due, d.warn, d.warn
            FROM generate_series(1, %(n)s) AS i,
                 LATERAL (SELECT %(now)s + interval '30 days' + (i %% 1440) * interval '1 minute' AS due,
                                 %(now)s + interval '20 days' + (i %% 1440) * interval '1 minute' AS warn) AS d
        """,
            params,
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), %s)", [n_tickets]
        )
        # Two running clocks per ticket: the first response (what falls due) and the resolution.
        cur.execute("""
            INSERT INTO sla_slaclock (ticket_id, target, state, calendar, follows_holder, target_minutes, started_at,
                                      warn_at, due_at, paused_seconds, escalation_pending)
            SELECT id, t.target, 'running', t.calendar, t.target = 'resolution', t.minutes, created_at,
                   CASE WHEN t.target = 'first_response' THEN sla_warn_at ELSE resolution_due - interval '1 day' END,
                   CASE WHEN t.target = 'first_response' THEN sla_due ELSE resolution_due END, 0, false
            FROM tickets_ticket,
                 (VALUES ('first_response', 'always', 1440), ('resolution', 'store', 3600)) AS t(target, calendar, minutes)
        """)
        for definition, _name in indexes:
            cur.execute(definition)
        cur.execute("ANALYZE tickets_ticket")
        cur.execute("ANALYZE sla_slaclock")


def arm(n_due: int, escalating: float, now) -> dict:
    """Make tickets 1..n_due due at `now` (again, when the database is reused): complaints whose
    first response breached (they escalate), fault reports that breached (the next rung is told),
    consultations at their 75% warning. Their earlier events and notifications go."""
    from django.db import connection

    n_escalating = int(n_due * escalating)
    n_breach = (n_due - n_escalating) // 2
    params = {"due": n_due, "esc": n_escalating, "brk": n_escalating + n_breach, "now": now}
    with connection.cursor() as cur:
        cur.execute("DELETE FROM notifications_notification")
        cur.execute("DELETE FROM tickets_ticketevent")
        cur.execute(
            """
            UPDATE tickets_ticket SET
                type = CASE WHEN id <= %(esc)s THEN 'complaint' WHEN id <= %(brk)s THEN 'fault_report' ELSE 'consultation' END,
                sla_policy = CASE WHEN id <= %(esc)s THEN 'complaint' WHEN id <= %(brk)s THEN 'fault-report' ELSE 'default' END,
                escalation_tier = 'store_staff', assignee_id = NULL, version = 1, sla_breached = '[]'::jsonb,
                sla_due = d.due, first_response_due = d.due, sla_warn_at = d.warn,
                sla_next_due = CASE WHEN id <= %(brk)s THEN d.due ELSE d.warn END
            FROM (SELECT g AS i,
                         CASE WHEN g <= %(brk)s THEN %(now)s - interval '1 minute' ELSE %(now)s + interval '4 hours' END AS due,
                         CASE WHEN g <= %(brk)s THEN %(now)s - interval '2 hours' ELSE %(now)s - interval '1 minute' END AS warn
                  FROM generate_series(1, %(due)s) AS g) AS d
            WHERE id = d.i
        """,
            params,
        )
        cur.execute(
            """
            UPDATE sla_slaclock c SET warn_at = t.sla_warn_at, due_at = t.sla_due, breached_at = NULL,
                   escalation_pending = false, escalated_at = NULL,
                   warned_at = CASE WHEN t.sla_next_due = t.sla_due THEN t.sla_warn_at END
            FROM tickets_ticket t WHERE c.ticket_id = t.id AND c.target = 'first_response' AND t.id <= %(due)s
        """,
            params,
        )
        cur.execute("ANALYZE tickets_ticket")
    return {
        "due": n_due,
        "escalating": n_escalating,
        "breach_only": n_breach,
        "warnings": n_due - n_escalating - n_breach,
    }


def plan_summary(now, batch_size: int) -> dict:
    """EXPLAIN ANALYZE of the sweep's claim query (rolled back, so its row locks go away)."""
    from django.db import connection, transaction

    from kefu.tickets.models import Ticket

    qs = (
        Ticket.objects.select_for_update(skip_locked=True)
        .filter(sla_next_due__lte=now)
        .order_by("sla_next_due", "id")[:batch_size]
    )
    with transaction.atomic():
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            plan = cur.fetchone()[0]
        transaction.set_rollback(True)
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    nodes = []

    def walk(node, depth=0):
        nodes.append(
            {
                k: v
                for k, v in {
                    "node": node["Node Type"],
                    "index": node.get("Index Name"),
                    "relation": node.get("Relation Name"),
                    "index_cond": node.get("Index Cond"),
                    "rows": node.get("Actual Rows"),
                    "ms": node.get("Actual Total Time"),
                    "shared_hit": node.get("Shared Hit Blocks"),
                    "shared_read": node.get("Shared Read Blocks"),
                }.items()
                if v is not None
            }
        )
        for child in node.get("Plans", []):
            walk(child, depth + 1)

    walk(plan["Plan"])
    text = " -> ".join(n["node"] + (f" using {n['index']}" if "index" in n else "") for n in nodes)
    return {
        "summary": text,
        "uses_index": any(n.get("index") == "ticket_sla_next_due" for n in nodes),
        "seq_scan": any(n["node"] == "Seq Scan" for n in nodes),
        "planning_ms": plan.get("Planning Time"),
        "execution_ms": plan.get("Execution Time"),
        "nodes": nodes,
    }


def _db_breakdown(captured) -> dict:
    """Database time of the sweep's statements, by statement kind and table."""
    import re

    out: dict[str, list] = {}
    for q in captured:
        sql = q["sql"]
        m = re.match(
            r'\s*(SELECT|UPDATE|INSERT INTO|DELETE FROM|SAVEPOINT|RELEASE|BEGIN|COMMIT)\s*(?:.*?FROM\s+)?"?(\w*)',
            sql,
        )
        key = f"{m.group(1)} {m.group(2)}".strip() if m else sql[:20]
        if key.startswith(("SAVEPOINT", "RELEASE")):
            key = key.split()[0]
        entry = out.setdefault(key, [0, 0.0])
        entry[0] += 1
        entry[1] += float(q["time"])
    return {
        k: {"count": n, "seconds": round(t, 3)}
        for k, (n, t) in sorted(out.items(), key=lambda kv: -kv[1][1])
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument(
        "--escalating",
        type=float,
        default=0.2,
        help="share of the due tickets whose breach escalates",
    )
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--keep", action="store_true", help="reuse an existing bench database as it is"
    )
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("KEFU_VAR", tempfile.mkdtemp(prefix="kefu-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    created = recreate_database(url, args.keep)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from kefu.sla.models import SlaClock
    from kefu.sla.services import escalate_breaches, sweep
    from kefu.tickets.models import Ticket, TicketEvent

    now = timezone.now().replace(microsecond=0)
    t0 = time.perf_counter()
    if created:
        call_command("migrate", verbosity=0)
        populate(args.tickets, now)
    setup = {
        "created": created,
        **arm(args.due, args.escalating, now),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    due_ids = set(Ticket.objects.filter(sla_next_due__lte=now).values_list("pk", flat=True))
    open_count = Ticket.objects.filter(status__in=["new", "open"]).count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    plan = plan_summary(now, args.batch_size)

    sweep(now=now - timedelta(days=30))  # warm up: caches and connection, touches nothing
    cpu = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        report = sweep(now=now, batch_size=args.batch_size)
    cpu = round(time.process_time() - cpu, 4)
    touched = set(
        TicketEvent.objects.filter(kind__in=["sla_warning", "sla_breach"])
        .order_by()
        .values_list("ticket_id", flat=True)
        .distinct()
    )
    again = sweep(now=now, batch_size=args.batch_size)
    # The escalations the sweep queued, run here as one worker would run the task.
    pending = list(SlaClock.objects.filter(escalation_pending=True).values_list("pk", flat=True))
    t1 = time.perf_counter()
    climbed = escalate_breaches(pending)
    escalation_seconds = round(time.perf_counter() - t1, 4)

    print(
        json.dumps(
            {
                "bench": "sla_sweep",
                "database": connection.vendor,
                "server": connection.cursor().connection.info.server_version,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average_1m": load,
                "setup": setup,
                "open_tickets": open_count,
                "due_tickets": len(due_ids),
                "sweep_seconds": report["seconds"],
                "under_1s": report["seconds"] < 1.0,
                "sweep_python_cpu_seconds": cpu,
                "sweep": report,
                "queries": len(queries.captured_queries),
                "db_seconds": _db_breakdown(queries.captured_queries),
                "touched_only_due": touched == due_ids,
                "second_sweep": {"tickets": again["tickets"], "seconds": again["seconds"]},
                "escalation_task": {
                    "queued": len(pending),
                    "climbed": climbed,
                    "seconds": escalation_seconds,
                    "ms_each": round(1000 * escalation_seconds / max(climbed, 1), 2),
                },
                "claim_query_plan": plan,
            },
            ensure_ascii=False,
            indent=2,
            default=str,
        )
    )


if __name__ == "__main__":
    main()
