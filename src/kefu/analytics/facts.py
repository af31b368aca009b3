"""The report's narrow facts (TicketFact, ClockFact): exact per-ticket and per-clock rows the
summary report aggregates instead of joining clocks and events to a quarter of a million tickets.

How they stay exact:
- Every state change in Kefu records a timeline event through ``kefu.tickets.timeline``, which
  sends ``events_recorded`` inside the writer's transaction; ``mark_stale`` (connected in
  AnalyticsConfig.ready) writes a StaleTicket row in that same transaction.
- ``refresh_stale`` recomputes the facts of every stale ticket from its ticket, events and
  clocks (``refresh``: delete + insert, idempotent) and removes the marks it read. The report
  calls it before reading, so it never reads a fact older than the last committed change;
  the ``refresh_report_facts`` Huey task runs it every minute so readers seldom wait.
- ``rebuild`` recomputes every ticket (``kefu analytics facts``, the backfill after the
  migration or after rows were written without events, e.g. a bulk load); ``--since`` limits it
  to tickets opened from a day on. ``rebuild_from`` does the same for the tickets from an id on
  (a bulk load's), set-based (INSERT … SELECT).
- ``ChainDay``: the whole chain's counts per local day and duration histograms (a monotone
  bucketing of the value, ``bucket``), rebuilt from the facts for each day whose facts changed,
  in the same transaction as the facts. A chain summary sums its days and reads each exact
  nearest-rank percentile as the k-th value of the one bucket that holds rank k.
Rows written by raw SQL or bulk loads without a timeline event are invisible to the marks: run
the rebuild after them (the demo loader does). Refreshes are serialised (an advisory lock on
PostgreSQL; SQLite has one writer anyway), so two refreshers never rebuild a day at once.
"""

import datetime
from collections import Counter

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from kefu.sla.models import ACTIVE_STATES, ClockState, SlaClock
from kefu.tickets.models import EventKind, Ticket, TicketEvent

from .models import (
    ChainDay,
    ClockFact,
    ClockOutcome,
    EventFact,
    StaleTicket,
    TicketColumns,
    TicketFact,
)

CHUNK = 2000
_TICKET_FIELDS = (
    "id",
    "store_id",
    "region_id",
    "type",
    "channel",
    "priority",
    "assignee_id",
    "created_at",
    "resolved_at",
    "first_response_at",
)


def _us(delta: datetime.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def outcome(state: str, breached_at) -> str:
    """The clock's column in the SLA table (the same conditions as selectors._clock_counts)."""
    if state == ClockState.MET:
        return ClockOutcome.ON_TIME if breached_at is None else ClockOutcome.LATE
    if breached_at is not None:
        return ClockOutcome.BREACHED
    if state in ACTIVE_STATES:
        return ClockOutcome.RUNNING
    return ClockOutcome.OTHER


LOCK_KEY = 7_110_011  # pg_advisory_xact_lock key of the refreshes


def _serialise() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def bucket(value: int) -> int:
    """A monotone bucket of a non-negative whole number (seconds): the value itself below 32,
    then 16 buckets per doubling (each about 6 % wide). Non-positive values fall in bucket 0."""
    if value < 32:
        return max(0, value)
    e = value.bit_length() - 5
    return e * 16 + (value >> e)


def bucket_floor(b: int) -> int | None:
    """The smallest value of bucket ``b`` (None: bucket 0 has no lower bound)."""
    if b == 0:
        return None
    if b < 32:
        return b
    e = b // 16 - 1
    return (b % 16 + 16) << e


def us_bucket(us: int) -> int:
    return bucket(us // 1_000_000)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _day_range(day: datetime.date):
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(), tzinfo=timezone.get_current_timezone()
    )
    return start, end


def _days_of(ticket_ids) -> set[datetime.date]:
    days = set()
    for created, resolved in TicketFact.objects.filter(ticket_id__in=ticket_ids).values_list(
        "created_at", "resolved_at"
    ):
        days.add(_local_day(created))
        if resolved is not None:
            days.add(_local_day(resolved))
    return days


def rebuild_day(day: datetime.date) -> None:
    """The chain's counts and histograms of one local day, from the facts (idempotent)."""
    start, end = _day_range(day)
    counts = Counter()
    opened = TicketFact.objects.filter(created_at__gte=start, created_at__lt=end)
    for fr, resolved, first_contact in opened.values_list(
        "first_response_us", "resolved_at", "first_contact"
    ):
        counts["opened", 0] += 1
        if fr is not None:
            counts["answered", 0] += 1
            counts["fr", us_bucket(fr)] += 1
        if resolved is not None:
            counts["resolved_opened", 0] += 1
        if first_contact:
            counts["first_contact", 0] += 1
    resolved = TicketFact.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
    for res in resolved.values_list("resolution_us", flat=True):
        counts["resolved", 0] += 1
        if res is not None:
            counts["res", us_bucket(res)] += 1
    clocks = ClockFact.objects.filter(opened_at__gte=start, opened_at__lt=end)
    for target, outcome_, seconds in clocks.values_list("target", "outcome", "business_seconds"):
        counts[f"clock:{target}:{outcome_}", 0] += 1
        if seconds is not None:
            counts[f"bs:{target}", bucket(seconds)] += 1
    ChainDay.objects.filter(day=day).delete()
    ChainDay.objects.bulk_create(
        [ChainDay(day=day, metric=m, bucket=b, n=n) for (m, b), n in counts.items()],
        batch_size=1000,
    )


def rebuild_days(days=None) -> int:
    """Rebuild the given days (all days that have facts when None); the number rebuilt."""
    if days is None:
        span = TicketFact.objects.aggregate(
            first=Min("created_at"), last=Max("created_at"), resolved=Max("resolved_at")
        )
        ChainDay.objects.all().delete()
        if span["first"] is None:
            return 0
        first = _local_day(span["first"])
        last = _local_day(max(d for d in (span["last"], span["resolved"]) if d is not None))
        days = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
    n = 0
    for day in sorted(days):
        with transaction.atomic():
            _serialise()
            rebuild_day(day)
        n += 1
    return n


def refresh(ticket_ids) -> int:
    """Recompute the facts of these tickets (deleted tickets lose theirs); the number written."""
    ids = sorted(set(ticket_ids))
    written = 0
    for start in range(0, len(ids), CHUNK):
        written += _refresh_chunk(ids[start : start + CHUNK])
    return written


def _refresh_chunk(ids: list[int], *, days: bool = True) -> int:
    with transaction.atomic():
        _serialise()
        touched = _days_of(ids) if days else set()
        TicketFact.objects.filter(ticket_id__in=ids).delete()
        ClockFact.objects.filter(ticket_id__in=ids).delete()
        EventFact.objects.filter(ticket_id__in=ids).delete()
        tickets = {t["id"]: t for t in Ticket.objects.filter(pk__in=ids).values(*_TICKET_FIELDS)}
        if not tickets:
            for day in touched:
                rebuild_day(day)
            return 0
        counts = {
            r["ticket_id"]: r
            for r in TicketEvent.objects.filter(
                ticket_id__in=list(tickets), kind__in=[EventKind.REPLY, EventKind.STATUS]
            )
            .values("ticket_id")
            .annotate(
                replies=Count("id", filter=Q(kind=EventKind.REPLY, public=True)),
                reopenings=Count("id", filter=Q(kind=EventKind.STATUS, data__reopened=True)),
            )
            .order_by()
        }
        facts = []
        for t in tickets.values():
            c = counts.get(t["id"], {"replies": 0, "reopenings": 0})
            fr, res = t["first_response_at"], t["resolved_at"]
            facts.append(
                TicketFact(
                    ticket_id=t["id"],
                    **TicketColumns.columns_of(t),
                    created_at=t["created_at"],
                    resolved_at=res,
                    first_response_us=_us(fr - t["created_at"]) if fr else None,
                    resolution_us=_us(res - t["created_at"]) if res else None,
                    first_contact=res is not None and c["replies"] == 1 and c["reopenings"] == 0,
                )
            )
        clocks = []
        for k in SlaClock.objects.filter(ticket_id__in=list(tickets)).values(
            "id", "ticket_id", "target", "state", "breached_at", "business_seconds"
        ):
            t = tickets[k["ticket_id"]]
            clocks.append(
                ClockFact(
                    clock_id=k["id"],
                    ticket_id=t["id"],
                    **TicketColumns.columns_of(t),
                    opened_at=t["created_at"],
                    target=k["target"],
                    outcome=outcome(k["state"], k["breached_at"]),
                    business_seconds=k["business_seconds"]
                    if k["state"] == ClockState.MET
                    else None,
                )
            )
        events = []
        for e in TicketEvent.objects.filter(
            Q(kind=EventKind.ESCALATED) | Q(kind=EventKind.STATUS, data__reopened=True),
            ticket_id__in=list(tickets),
        ).values("id", "ticket_id", "kind", "created_at", "data"):
            t, data = tickets[e["ticket_id"]], e["data"] or {}
            escalated = e["kind"] == EventKind.ESCALATED
            events.append(
                EventFact(
                    event_id=e["id"],
                    ticket_id=t["id"],
                    **TicketColumns.columns_of(t),
                    created_at=e["created_at"],
                    kind="escalated" if escalated else "reopened",
                    tier=data.get("tier") if escalated else None,
                    automatic=escalated and data.get("automatic") is True,
                    cause=data.get("cause") if escalated else None,
                )
            )
        EventFact.objects.bulk_create(events, batch_size=1000)
        TicketFact.objects.bulk_create(facts, batch_size=1000)
        ClockFact.objects.bulk_create(clocks, batch_size=1000)
        if days:
            for f in facts:
                touched.add(_local_day(f.created_at))
                if f.resolved_at is not None:
                    touched.add(_local_day(f.resolved_at))
            for day in touched:
                rebuild_day(day)
        return len(facts)


def mark_stale(sender=None, ticket_ids=(), **kw) -> None:
    """Receiver of ``events_recorded``: mark the tickets in the writer's own transaction (a
    plain INSERT: on every state change, where bulk_create's compilation cost more than it)."""
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {StaleTicket._meta.db_table} (ticket_id) VALUES (%s)",
            [(i,) for i in set(ticket_ids)],
        )


def refresh_stale(limit: int = 20_000) -> int:
    """Refresh the tickets marked stale (committed marks only) and remove those marks. Two
    readers refreshing the same ticket at once: the second one's insert collides, rolls back
    its chunk and leaves the marks for the next run (the first one wrote the same rows)."""
    marks = list(StaleTicket.objects.order_by("id").values_list("id", "ticket_id")[:limit])
    if not marks:
        return 0
    try:
        with transaction.atomic():
            refresh({t for _id, t in marks})
            StaleTicket.objects.filter(pk__in=[m for m, _t in marks]).delete()
    except IntegrityError:
        return 0
    return len(marks)


def rebuild(since: datetime.datetime | None = None, *, progress=None) -> int:
    """Recompute the facts of every ticket (opened from ``since`` on), then the chain's days;
    idempotent."""
    tickets = Ticket.objects.all()
    # The marks committed before a full rebuild starts are covered by it (those ids only: a
    # lower id may still be in a transaction that commits later).
    covered = list(StaleTicket.objects.values_list("id", flat=True)) if since is None else []
    if since is not None:
        tickets = tickets.filter(created_at__gte=since)
    done, last = 0, 0
    while True:
        ids = list(tickets.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            break
        _refresh_chunk(ids, days=False)
        done += len(ids)
        last = ids[-1]
        if progress:
            progress(done)
    if since is None:
        rebuild_days()
        for start in range(0, len(covered), CHUNK):
            StaleTicket.objects.filter(id__in=covered[start : start + CHUNK]).delete()
    else:
        today = timezone.localdate()
        first = _local_day(since)
        rebuild_days([first + datetime.timedelta(days=i) for i in range((today - first).days + 1)])
    return done


# --------------------------------------------------------------------------- bulk loads

_COLUMNS = ", ".join(TicketColumns.SOURCE)
_FROM_TICKET = ", ".join(f"t.{c}" for c in TicketColumns.SOURCE)


_POWERS = "ARRAY[" + ", ".join(str(1 << i) for i in range(63)) + "]::bigint[]"


def _bucket_sql(value: str) -> str:
    """``bucket`` in SQL for a bigint expression (PostgreSQL): the bit length is the number of
    powers of two not above the value (``width_bucket`` over them, exact where a logarithm
    would round)."""
    e = f"(width_bucket(({value})::bigint, {_POWERS}) - 5)"
    return (
        f"CASE WHEN {value} < 32 THEN GREATEST({value}, 0) "
        f"ELSE {e} * 16 + (({value})::bigint >> {e}) END"
    )


def _dialect() -> dict:
    """The few expressions the set-based facts write differently on each database."""
    if connection.vendor == "postgresql":
        return {
            "us": lambda later, earlier: (
                f"((EXTRACT(EPOCH FROM {later}) - EXTRACT(EPOCH FROM {earlier})) * 1000000)::bigint"
            ),
            "is_true": lambda key: f"data -> '{key}' = 'true'::jsonb",
            "text": lambda key: f"data ->> '{key}'",
        }

    # SQLite keeps instants as UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]': whole seconds from
    # strftime, the microseconds from the text, so the difference is exact.
    def us(later, earlier):
        def of(x):
            return (
                f"(CAST(strftime('%%s', {x}) AS INTEGER) * 1000000"
                f" + CAST(substr({x} || '.000000', 21, 6) AS INTEGER))"
            )

        return f"({of(later)} - {of(earlier)})"

    return {
        "us": us,
        "is_true": lambda key: f"json_type(data, '$.{key}') = 'true'",
        "text": lambda key: f"json_extract(data, '$.{key}')",
    }


def rebuild_from(first_ticket_id: int) -> int:
    """The facts of every ticket from ``first_ticket_id`` on, and the chain's days they touch:
    what a bulk load (``kefu seed-bench``) writes without timeline events needs before a
    report reads. Set-based (INSERT … SELECT; the same values as ``refresh``,
    tests/web/test_seedbench.py compares them), the days too on PostgreSQL (elsewhere
    ``rebuild_days``). Returns the number of tickets."""
    p = {"first": first_ticket_id}
    sql = _dialect()
    us, is_true, text = sql["us"], sql["is_true"], sql["text"]
    pg = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cur:
        _serialise()
        if pg:  # hash joins and aggregates over a million rows: in memory, not in batches on disk
            cur.execute("SET LOCAL work_mem = '256MB'")
        for table in ("ticketfact", "clockfact", "eventfact"):
            cur.execute(f"DELETE FROM analytics_{table} WHERE ticket_id >= %(first)s", p)
        cur.execute(
            f"""
            INSERT INTO analytics_ticketfact (ticket_id, {_COLUMNS}, created_at, resolved_at,
                first_response_us, resolution_us, first_contact)
            SELECT t.id, {_FROM_TICKET}, t.created_at, t.resolved_at,
                CASE WHEN t.first_response_at IS NOT NULL
                    THEN {us("t.first_response_at", "t.created_at")} END,
                CASE WHEN t.resolved_at IS NOT NULL
                    THEN {us("t.resolved_at", "t.created_at")} END,
                t.resolved_at IS NOT NULL AND COALESCE(c.replies, 0) = 1
                    AND COALESCE(c.reopenings, 0) = 0
            FROM tickets_ticket t LEFT JOIN (
                SELECT ticket_id,
                    count(*) FILTER (WHERE kind = 'reply' AND public) AS replies,
                    count(*) FILTER (WHERE kind = 'status' AND {is_true("reopened")})
                        AS reopenings
                FROM tickets_ticketevent
                WHERE ticket_id >= %(first)s AND kind IN ('reply', 'status')
                GROUP BY ticket_id
            ) c ON c.ticket_id = t.id
            WHERE t.id >= %(first)s
            """,
            p,
        )
        n = cur.rowcount
        cur.execute(
            f"""
            INSERT INTO analytics_clockfact (clock_id, ticket_id, {_COLUMNS}, opened_at, target,
                outcome, business_seconds)
            SELECT k.id, t.id, {_FROM_TICKET}, t.created_at, k.target,
                CASE WHEN k.state = 'met' THEN
                        CASE WHEN k.breached_at IS NULL THEN 'on_time' ELSE 'late' END
                    WHEN k.breached_at IS NOT NULL THEN 'breached'
                    WHEN k.state IN ('running', 'paused') THEN 'running'
                    ELSE 'other' END,
                CASE WHEN k.state = 'met' THEN k.business_seconds END
            FROM sla_slaclock k JOIN tickets_ticket t ON t.id = k.ticket_id
            WHERE k.ticket_id >= %(first)s
            """,
            p,
        )
        cur.execute(
            f"""
            INSERT INTO analytics_eventfact (event_id, ticket_id, {_COLUMNS}, created_at, kind,
                tier, automatic, cause)
            SELECT e.id, t.id, {_FROM_TICKET}, e.created_at,
                CASE WHEN e.kind = 'escalated' THEN 'escalated' ELSE 'reopened' END,
                CASE WHEN e.kind = 'escalated' THEN {text("tier")} END,
                e.kind = 'escalated' AND COALESCE({is_true("automatic")}, false),
                CASE WHEN e.kind = 'escalated' THEN {text("cause")} END
            FROM tickets_ticketevent e JOIN tickets_ticket t ON t.id = e.ticket_id
            WHERE e.ticket_id >= %(first)s AND (e.kind = 'escalated'
                OR (e.kind = 'status' AND {is_true("reopened")}))
            """,
            p,
        )
        days = _days_of_range(first_ticket_id)
        if days and pg:
            _rebuild_days_sql(min(days), max(days))
    if days and not pg:
        rebuild_days(sorted(days))
    return n


def _days_of_range(first_ticket_id: int) -> set[datetime.date]:
    span = TicketFact.objects.filter(ticket_id__gte=first_ticket_id).aggregate(
        first=Min("created_at"), last=Max("created_at"), resolved=Max("resolved_at")
    )
    if span["first"] is None:
        return set()
    first = _local_day(span["first"])
    last = _local_day(max(d for d in (span["last"], span["resolved"]) if d is not None))
    return {first + datetime.timedelta(days=i) for i in range((last - first).days + 1)}


def _rebuild_days_sql(first: datetime.date, last: datetime.date) -> None:
    """``rebuild_day`` for every day from ``first`` to ``last`` (PostgreSQL), inside the
    caller's transaction. Each pass groups the facts by quarter hour first (a cheap bin of the
    instant; every time zone's offset is a whole number of quarter hours, so a quarter hour
    lies in one local day) and only those groups are turned into local days: converting a
    million instants to a time zone one by one costs more than the rest of the pass."""
    start, _ = _day_range(first)
    _, end = _day_range(last)
    p = {"start": start, "end": end, "tz": timezone.get_current_timezone_name()}
    insert = "INSERT INTO analytics_chainday (day, metric, bucket, n) "
    day = "(g.slot AT TIME ZONE %(tz)s)::date"

    def slot(moment):
        return f"date_bin('15 minutes', f.{moment}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"

    def within(moment):
        return f"f.{moment} >= %(start)s AND f.{moment} < %(end)s"

    statements = [
        # Opened on the day: the counts, unpivoted into their metrics.
        f"""{insert}
        SELECT c.day, v.metric, 0, v.n FROM (
            SELECT {day} AS day, sum(g.opened) AS opened, sum(g.answered) AS answered,
                sum(g.resolved_opened) AS resolved_opened, sum(g.first_contact) AS first_contact
            FROM (
                SELECT {slot("created_at")} AS slot, count(*) AS opened,
                    count(f.first_response_us) AS answered,
                    count(f.resolved_at) AS resolved_opened,
                    count(*) FILTER (WHERE f.first_contact) AS first_contact
                FROM analytics_ticketfact f WHERE {within("created_at")} GROUP BY 1
            ) g GROUP BY 1
        ) c CROSS JOIN LATERAL (VALUES ('opened', c.opened), ('answered', c.answered),
            ('resolved_opened', c.resolved_opened), ('first_contact', c.first_contact)
        ) AS v(metric, n)
        WHERE v.n > 0""",
        # Resolved on the day: the count.
        f"""{insert}
        SELECT {day}, 'resolved', 0, sum(g.n) FROM (
            SELECT {slot("resolved_at")} AS slot, count(*) AS n
            FROM analytics_ticketfact f WHERE {within("resolved_at")} GROUP BY 1
        ) g GROUP BY 1""",
        # Clocks of the tickets opened on the day: per target and outcome.
        f"""{insert}
        SELECT {day}, 'clock:' || g.target || ':' || g.outcome, 0, sum(g.n) FROM (
            SELECT {slot("opened_at")} AS slot, f.target, f.outcome, count(*) AS n
            FROM analytics_clockfact f WHERE {within("opened_at")} GROUP BY 1, 2, 3
        ) g GROUP BY 1, 2""",
    ]
    for metric, moment, table, value in (
        ("'fr'", "created_at", "ticketfact", "f.first_response_us / 1000000"),
        ("'res'", "resolved_at", "ticketfact", "f.resolution_us / 1000000"),
        ("'bs:' || f.target", "opened_at", "clockfact", "f.business_seconds"),
    ):
        column = value.split()[0]
        statements.append(
            f"""{insert}
            SELECT {day}, g.metric, g.bucket, sum(g.n) FROM (
                SELECT {slot(moment)} AS slot, {metric} AS metric, {_bucket_sql(value)} AS bucket,
                    count(*) AS n
                FROM analytics_{table} f
                WHERE {within(moment)} AND {column} IS NOT NULL
                GROUP BY 1, 2, 3
            ) g GROUP BY 1, 2, 3"""
        )
    with connection.cursor() as cur:
        cur.execute("DELETE FROM analytics_chainday WHERE day BETWEEN %s AND %s", [first, last])
        for statement in statements:
            cur.execute(statement, p)
