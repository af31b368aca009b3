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
  to tickets opened from a day on.
Rows written by raw SQL or bulk loads without a timeline event are invisible to the marks: run
the rebuild after them (the demo loader does).
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from kefu.sla.models import ACTIVE_STATES, ClockState, SlaClock
from kefu.tickets.models import EventKind, Ticket, TicketEvent

from .models import ClockFact, ClockOutcome, StaleTicket, TicketFact

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


def refresh(ticket_ids) -> int:
    """Recompute the facts of these tickets (deleted tickets lose theirs); the number written."""
    ids = sorted(set(ticket_ids))
    written = 0
    for start in range(0, len(ids), CHUNK):
        written += _refresh_chunk(ids[start : start + CHUNK])
    return written


def _refresh_chunk(ids: list[int]) -> int:
    with transaction.atomic():
        TicketFact.objects.filter(ticket_id__in=ids).delete()
        ClockFact.objects.filter(ticket_id__in=ids).delete()
        tickets = {t["id"]: t for t in Ticket.objects.filter(pk__in=ids).values(*_TICKET_FIELDS)}
        if not tickets:
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
                    store_id=t["store_id"],
                    region_id=t["region_id"],
                    type=t["type"],
                    channel=t["channel"],
                    priority=t["priority"],
                    assignee_id=t["assignee_id"],
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
                    store_id=t["store_id"],
                    region_id=t["region_id"],
                    type=t["type"],
                    channel=t["channel"],
                    priority=t["priority"],
                    assignee_id=t["assignee_id"],
                    opened_at=t["created_at"],
                    target=k["target"],
                    outcome=outcome(k["state"], k["breached_at"]),
                    business_seconds=k["business_seconds"]
                    if k["state"] == ClockState.MET
                    else None,
                )
            )
        TicketFact.objects.bulk_create(facts, batch_size=1000)
        ClockFact.objects.bulk_create(clocks, batch_size=1000)
        return len(facts)


def mark_stale(sender=None, ticket_ids=(), **kw) -> None:
    """Receiver of ``events_recorded``: mark the tickets in the writer's own transaction."""
    StaleTicket.objects.bulk_create([StaleTicket(ticket_id=i) for i in set(ticket_ids)])


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
    """Recompute the facts of every ticket (opened from ``since`` on); idempotent."""
    tickets = Ticket.objects.all()
    if since is not None:
        tickets = tickets.filter(created_at__gte=since)
    else:
        # Facts of tickets that no longer exist go with them (CASCADE); nothing else to drop.
        pass
    done, last = 0, 0
    while True:
        ids = list(tickets.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return done
        _refresh_chunk(ids)
        done += len(ids)
        last = ids[-1]
        if progress:
            progress(done)
