"""The numbers a manager runs the service by, computed by the database and scoped to the reader.

Every figure is an aggregate query (COUNT / SUM / AVG with conditions, GROUP BY); medians and
p90s are the nearest-rank value read with ORDER BY … LIMIT 1 OFFSET k, so no report loops over
rows in Python and each report costs a fixed number of queries however many tickets there are.
Date truncation (TruncDate in Asia/Shanghai) and durations (datetime subtraction) are Django
expressions that SQLite and PostgreSQL both evaluate, so both give the same figures.

Definitions (also in docs/domain.md, shown beside the numbers on the dashboard):
- opened: tickets created in the period; resolved: tickets whose ``resolved_at`` is in it.
- first-response time: ``first_response_at - created_at`` (calendar minutes) of tickets opened
  in the period that have had a reply; on-time rate: first-response clocks met without a breach
  over all first-response clocks that were met (on time or late).
- resolution time: ``resolved_at - created_at`` of tickets resolved in the period.
- business-hours times (``business_median_minutes`` / ``business_p90_minutes``): the business
  time (the store's calendar: opening hours, holidays) from opening to the first reply / to
  resolution, read from the met first-response / resolution clocks of tickets opened in the
  period. Written on the clock when it stops, read as one column.
- SLA: clocks of tickets opened in the period. met on time = met, never breached; met late = met
  after the due time; breached = breached and not met (still running, or cancelled); running =
  active and not yet due.
- first-contact resolution (FCR): of the tickets opened in the period and resolved, the share
  resolved with exactly one public reply from staff and never reopened.
- backlog: open tickets now (new, open, waiting for customer, on hold) by age.

Where the summary reads: volume, first response, resolution, SLA and FCR come from the narrow
report facts (TicketFact / ClockFact, kefu/analytics/facts.py), refreshed for the tickets changed
since the last read before reading; they hold every filter column (type, channel, priority,
agent), so no filter falls back. ``summary(report, direct=True)`` computes the same figures from
the tickets, clocks and events (the exactness test compares them). Reopenings, escalations,
backlog, CSAT, root causes, 三包 and compensation are read from their own tables as before.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kefu.aftersales.models import OrderKind, OrderStatus, RepairOutcome, ServiceOrder
from kefu.errors import NotFound
from kefu.feedback.models import (
    CallOutcome,
    Compensation,
    CompensationKind,
    CompensationPurpose,
    CompensationStatus,
    FeedbackSettings,
    FollowUp,
    FollowUpReason,
    Survey,
    SurveyAnswer,
)
from kefu.org.models import Region, Store
from kefu.org.roles import LADDER, Tier
from kefu.org.selectors import staff_of, stores_for
from kefu.quality import rules as quality_rules
from kefu.quality.models import ComplaintGuide, QaReview, ServiceType
from kefu.registers.models import VoiceNote
from kefu.registers.selectors import count_themes
from kefu.sla.models import ACTIVE_STATES, ClockState, SlaClock, Target
from kefu.tickets.models import (
    OPEN_STATUSES,
    Channel,
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)

from . import facts
from .models import ChainDay, ClockFact, ClockOutcome, EventFact, ExportJob, TicketFact

EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2999, 12, 31)
MAX_DAYS = 731  # a report covers at most two years
# Backlog age buckets: (key, lower bound in days); the last bucket has no upper bound.
BACKLOG_BUCKETS = (("lt_1d", 0), ("1_3d", 1), ("3_7d", 3), ("7_30d", 7), ("gt_30d", 30))
ZERO = Decimal("0.00")


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


# --------------------------------------------------------------------------- the question asked


@dataclass(frozen=True)
class Scope:
    """Whose numbers: everything the reader sees, one region, or one store."""

    kind: str  # "all" | "region" | "store"
    store: Store | None = None
    region: Region | None = None
    # The reader's own limit as store ids (None: every store).
    own: tuple[int, ...] | None = None

    def q(self, store_field: str = "store", region_field: str | None = "region") -> Q:
        """A filter for a model whose store (and region) sit at these fields."""
        region_path = f"{region_field}_id" if region_field else f"{store_field}__region_id"
        if self.kind == "store":
            return Q(**{f"{store_field}_id": self.store.pk})
        if self.kind == "region":
            return Q(**{region_path: self.region.pk})
        return self.own_q(store_field, region_field)

    def own_q(self, store_field: str, region_field: str | None) -> Q:
        if self.own is None:
            return Q()
        return Q(**{f"{store_field}_id__in": self.own})

    def as_json(self) -> dict:
        if self.kind == "store":
            return {"kind": "store", "code": self.store.code, "name": self.store.name}
        if self.kind == "region":
            return {"kind": "region", "code": self.region.code, "name": self.region.name}
        return {"kind": "all"}


def scope_for(user, *, store: str | None = None, region: str | None = None) -> Scope:
    """The scope a reader asked for, limited to what they see: a store or region outside it is
    a 404, exactly like a ticket outside it."""
    visible = stores_for(user)
    staff = staff_of(user)
    if staff is None:
        raise NotFound(_("Not found."))
    # The reader's own limit as store ids (a chain has dozens of stores, not more).
    own = None if staff.scope == "all" else tuple(visible.values_list("pk", flat=True))
    if store:
        found = visible.filter(code=store).first()
        if found is None:
            raise NotFound(_("No store %(code)s in your scope.") % {"code": store})
        return Scope("store", store=found, region=found.region, own=own)
    if region:
        found = (
            Region.objects.filter(Q(code=region) | Q(name=region))
            .filter(pk__in=visible.values("region_id"))
            .first()
        )
        if found is None:
            raise NotFound(_("No region %(name)s in your scope.") % {"name": region})
        return Scope("region", region=found, own=own)
    if staff.scope == "store" and staff.store_id:
        s = visible.first()
        if s is not None:
            return Scope("store", store=s, region=s.region, own=own)
    if staff.scope == "region" and staff.region_id:
        return Scope("region", region=Region.objects.get(pk=staff.region_id), own=own)
    return Scope("all", own=own)


@dataclass(frozen=True)
class Period:
    since: datetime.date
    until: datetime.date  # inclusive

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.since, datetime.time(), tzinfo=_tz())

    @property
    def end(self) -> datetime.datetime:
        """The first instant after the period."""
        return datetime.datetime.combine(
            self.until + datetime.timedelta(days=1), datetime.time(), tzinfo=_tz()
        )

    def as_json(self) -> dict:
        return {"from": self.since.isoformat(), "to": self.until.isoformat()}


def make_period(since: datetime.date | None, until: datetime.date | None) -> Period:
    """A period in order, within dates the database can compare, at most two years; by default
    the last 30 days."""
    today = timezone.localdate()
    until = until or today
    since = since or until - datetime.timedelta(days=29)
    since, until = (since, until) if since <= until else (until, since)
    since, until = max(EARLIEST, min(since, LATEST)), max(EARLIEST, min(until, LATEST))
    since = max(since, until - datetime.timedelta(days=MAX_DAYS - 1))
    return Period(since, until)


def parse_date(value) -> datetime.date | None:
    """A YYYY-MM-DD value as a date (None when absent or not a date)."""
    try:
        return datetime.date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return None


def report_for(user, query) -> "Report":
    """The report a reader asked for with the dashboard's query (store, region, from, to, type,
    channel, priority, agent; a QueryDict or a dict): scope limited to what they see (404 beyond it),
    the period put in order."""
    get = query.get
    return Report(
        scope=scope_for(user, store=get("store") or None, region=get("region") or None),
        period=make_period(parse_date(get("from")), parse_date(get("to"))),
        filters=Filters(
            type=get("type") or None,
            channel=get("channel") or None,
            priority=get("priority") or None,
            agent=get("agent") or None,
        ),
    )


def report_query(report: "Report") -> dict:
    """The query that gives ``report`` again, its period fixed (an export built later must
    not move with "the last 30 days")."""
    scope = report.scope
    return {
        "store": scope.store.code if scope.kind == "store" and scope.store else "",
        "region": scope.region.code if scope.kind == "region" and scope.region else "",
        "from": report.period.since.isoformat(),
        "to": report.period.until.isoformat(),
        **{k: v for k, v in report.filters.as_json().items() if v},
    }


@dataclass(frozen=True)
class Filters:
    """Which tickets: type, channel, priority, the agent holding them."""

    type: str | None = None
    channel: str | None = None
    priority: str | None = None
    agent: str | None = None

    def q(self, prefix: str = "") -> Q:
        q = Q()
        for name, value, choices in (
            ("type", self.type, TicketType),
            ("channel", self.channel, Channel),
            ("priority", self.priority, Priority),
        ):
            if value and value in choices.values:
                q &= Q(**{f"{prefix}{name}": value})
        if self.agent:
            q &= Q(**{f"{prefix}assignee__username": self.agent})
        return q

    def as_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Report:
    scope: Scope
    period: Period
    filters: Filters = Filters()

    def tickets(self) -> QuerySet:
        """The tickets in scope and filters (any date)."""
        return Ticket.objects.filter(self.scope.q(), self.filters.q())

    def opened(self) -> QuerySet:
        return self.tickets().filter(
            created_at__gte=self.period.start, created_at__lt=self.period.end
        )

    def ticket_q(self, prefix: str = "ticket__") -> Q:
        """Scope and filters for a model that points at the ticket."""
        return self.scope.q(f"{prefix}store", f"{prefix}region") & self.filters.q(prefix)


# --------------------------------------------------------------------------- small helpers


def _minutes(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds() / 60, 1)
    return round(float(value) / 60_000_000, 1)  # a backend answering microseconds


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class _PercentileDisc(Aggregate):
    """PostgreSQL's nearest-rank percentile: the first value whose cumulative share is >= p."""

    function = "percentile_disc"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentiles(
    rows: QuerySet, expression, ps=(0.5, 0.9), *, minutes=None
) -> dict[float, float | None]:
    """Nearest-rank percentiles of ``expression`` over ``rows``. PostgreSQL: every percentile in
    one pass (percentile_disc … WITHIN GROUP). SQLite has no percentile function: one COUNT,
    then each value read by the database with ORDER BY … OFFSET k LIMIT 1. Same values."""
    minutes = minutes or _minutes
    if connection.vendor == "postgresql":
        row = rows.aggregate(**{f"p{i}": _PercentileDisc(expression, p) for i, p in enumerate(ps)})
        return {p: minutes(row[f"p{i}"]) for i, p in enumerate(ps)}
    rows = rows.annotate(_d=expression).filter(_d__isnull=False)
    n = rows.count()
    out = {}
    for p in ps:
        if not n:
            out[p] = None
            continue
        k = max(0, math.ceil(p * n) - 1)
        value = rows.order_by("_d").values_list("_d", flat=True)[k : k + 1]
        out[p] = minutes(next(iter(value), None))
    return out


def _seconds_to_minutes(value) -> float | None:
    return None if value is None else round(value / 60, 1)


def business_times(report: Report, target: str) -> dict:
    """Median and p90 business minutes of the met ``target`` clocks of tickets opened in the
    period: each clock's ``business_seconds`` (on the store's calendar) was
    written once when it stopped (kefu.sla.services.business_seconds), so this is the same
    ORDER BY … OFFSET read of one integer column as the calendar figures."""
    clocks = SlaClock.objects.filter(
        report.ticket_q(),
        ticket__created_at__gte=report.period.start,
        ticket__created_at__lt=report.period.end,
        target=target,
        state=ClockState.MET,
    )
    pct = percentiles(clocks, F("business_seconds"), minutes=_seconds_to_minutes)
    return {"business_median_minutes": pct[0.5], "business_p90_minutes": pct[0.9]}


def _duration(a: str, b: str):
    return ExpressionWrapper(F(a) - F(b), output_field=DurationField())


# --------------------------------------------------------------------------- report families


def volume_counts(report: Report) -> dict:
    """Opened, resolved and reopened in the period."""
    p = report.period
    opened = report.opened().count()
    resolved = report.tickets().filter(resolved_at__gte=p.start, resolved_at__lt=p.end).count()
    return {"opened": opened, "resolved": resolved, "reopened": _reopened(report)}


def _reopened(report: Report, *, from_facts: bool = False) -> int:
    """Reopenings in the period (status events; one ticket may be reopened twice)."""
    p = report.period
    if from_facts:
        return EventFact.objects.filter(
            report.scope.q(),
            report.filters.q(),
            kind="reopened",
            created_at__gte=p.start,
            created_at__lt=p.end,
        ).count()
    return TicketEvent.objects.filter(
        report.ticket_q(),
        kind=EventKind.STATUS,
        data__reopened=True,
        created_at__gte=p.start,
        created_at__lt=p.end,
    ).count()


def _labelled(rows, key: str, labels) -> list[dict]:
    return [
        {"code": r[key], "label": str(labels.get(r[key], r[key])), "count": r["n"]} for r in rows
    ]


def volume(report: Report) -> dict:
    """Tickets opened in the period by type, channel, store and day (days in Asia/Shanghai)."""
    opened = report.opened()
    by_type = opened.values("type").annotate(n=Count("id")).order_by("-n", "type")
    by_channel = opened.values("channel").annotate(n=Count("id")).order_by("-n", "channel")
    by_store = (
        opened.values("store__code", "store__name")
        .annotate(n=Count("id"))
        .order_by("-n", "store__code")
    )
    by_day = (
        opened.annotate(day=TruncDate("created_at", tzinfo=_tz()))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    days = {r["day"]: r["n"] for r in by_day}
    span, d = [], report.period.since
    while d <= report.period.until:  # every day of the period, empty days as 0
        span.append({"day": d.isoformat(), "count": days.get(d, 0)})
        d += datetime.timedelta(days=1)
    return {
        **volume_counts(report),
        "by_type": _labelled(by_type, "type", dict(TicketType.choices)),
        "by_channel": _labelled(by_channel, "channel", dict(Channel.choices)),
        "by_store": [
            {"code": r["store__code"], "label": r["store__name"], "count": r["n"]} for r in by_store
        ],
        "by_day": span,
    }


def first_response(report: Report) -> dict:
    answered = report.opened().filter(first_response_at__isnull=False)
    pct = percentiles(answered, _duration("first_response_at", "created_at"))
    clocks = SlaClock.objects.filter(
        report.ticket_q(),
        ticket__created_at__gte=report.period.start,
        ticket__created_at__lt=report.period.end,
        target=Target.FIRST_RESPONSE,
        state=ClockState.MET,
    ).aggregate(met=Count("id"), on_time=Count("id", filter=Q(breached_at__isnull=True)))
    return {
        "median_minutes": pct[0.5],
        "p90_minutes": pct[0.9],
        "answered": answered.count(),
        "on_time_rate": _rate(clocks["on_time"], clocks["met"]),
        **business_times(report, Target.FIRST_RESPONSE),
    }


def resolution(report: Report) -> dict:
    p = report.period
    resolved = report.tickets().filter(resolved_at__gte=p.start, resolved_at__lt=p.end)
    pct = percentiles(resolved, _duration("resolved_at", "created_at"))
    return {
        "median_minutes": pct[0.5],
        "p90_minutes": pct[0.9],
        **business_times(report, Target.RESOLUTION),
    }


def _clock_counts() -> dict:
    met = Q(state=ClockState.MET)
    return {
        "met_on_time": Count("id", filter=met & Q(breached_at__isnull=True)),
        "met_late": Count("id", filter=met & Q(breached_at__isnull=False)),
        "breached": Count("id", filter=~met & Q(breached_at__isnull=False)),
        "running": Count("id", filter=Q(state__in=ACTIVE_STATES, breached_at__isnull=True)),
    }


def sla(report: Report) -> dict:
    """Clocks of tickets opened in the period: totals and per target."""
    clocks = SlaClock.objects.filter(
        report.ticket_q(),
        ticket__created_at__gte=report.period.start,
        ticket__created_at__lt=report.period.end,
    )
    totals = clocks.aggregate(**_clock_counts())
    per = clocks.values("target").annotate(**_clock_counts()).order_by("target")
    labels = dict(Target.choices)
    by_target = [
        {
            "target": r["target"],
            "label": str(labels.get(r["target"], r["target"])),
            **{k: r[k] for k in ("met_on_time", "met_late", "breached", "running")},
        }
        for r in per
    ]
    decided = totals["met_on_time"] + totals["met_late"] + totals["breached"]
    breach_rate = _rate(totals["met_late"] + totals["breached"], decided)
    return {**totals, "breach_rate": breach_rate, "by_target": by_target}


def fcr(report: Report) -> dict:
    """First-contact resolution: resolved with one public staff reply, never reopened.

    One grouped pass over the events of the period's resolved tickets (replies and status
    changes, per ticket) instead of two correlated sub-queries per ticket."""
    p = report.period
    resolved = report.opened().filter(resolved_at__isnull=False).count()
    first_contact = (
        TicketEvent.objects.filter(
            report.ticket_q(),
            ticket__created_at__gte=p.start,
            ticket__created_at__lt=p.end,
            ticket__resolved_at__isnull=False,
            kind__in=[EventKind.REPLY, EventKind.STATUS],
        )
        .values("ticket_id")
        .annotate(
            replies=Count("id", filter=Q(kind=EventKind.REPLY, public=True)),
            reopenings=Count("id", filter=Q(kind=EventKind.STATUS, data__reopened=True)),
        )
        .filter(replies=1, reopenings=0)
        .count()
    )
    return {
        "resolved": resolved,
        "first_contact": first_contact,
        "rate": _rate(first_contact, resolved),
    }


def backlog(report: Report, *, now: datetime.datetime | None = None) -> dict:
    """Open tickets now, by age bucket and by the rung holding them."""
    now = now or timezone.now()
    open_tickets = report.tickets().filter(status__in=OPEN_STATUSES)
    counts = {}
    bounds = [*BACKLOG_BUCKETS, (None, None)]
    for (key, low), (_next, high) in zip(bounds, bounds[1:], strict=False):
        if key is None:
            break
        cond = Q(created_at__lte=now - datetime.timedelta(days=low))
        if high is not None:
            cond &= Q(created_at__gt=now - datetime.timedelta(days=high))
        counts[key] = Count("id", filter=cond)
    counts["total"] = Count("id")
    row = open_tickets.aggregate(oldest=Min("created_at"), **counts)
    oldest = row.pop("oldest")
    by_rung = dict(open_tickets.values_list("escalation_tier").annotate(n=Count("id")).order_by())
    return {
        "buckets": {k: row[k] for k, _low in BACKLOG_BUCKETS},
        "total": row["total"],
        "oldest_days": round((now - oldest).total_seconds() / 86400, 1) if oldest else None,
        "by_rung": {str(t): by_rung.get(t, 0) for t in LADDER},
    }


def escalations(report: Report, *, from_facts: bool = False) -> dict:
    """Escalations in the period by rung reached, automatic vs manual, and cause (from the
    timeline, or from the narrow EventFact rows: the same events)."""
    p = report.period
    if from_facts:
        grouped = EventFact.objects.filter(
            report.scope.q(),
            report.filters.q(),
            kind="escalated",
            created_at__gte=p.start,
            created_at__lt=p.end,
        ).values_list("tier", "automatic", "cause")
    else:
        grouped = TicketEvent.objects.filter(
            report.ticket_q(),
            kind=EventKind.ESCALATED,
            created_at__gte=p.start,
            created_at__lt=p.end,
        ).values_list("data__tier", "data__automatic", "data__cause")
    # One grouped pass (rung, automatic, cause); the three breakdowns are summed from it.
    by_tier, by_cause, total, automatic = {}, {}, 0, 0
    for tier, auto, cause, n in grouped.annotate(n=Count("pk")).order_by():
        by_tier[tier] = by_tier.get(tier, 0) + n
        by_cause[cause] = by_cause.get(cause, 0) + n
        total += n
        automatic += n if auto is True else 0
    return {
        "by_tier": {str(t): by_tier.get(str(t), 0) for t in LADDER if t != Tier.STORE_STAFF},
        "total": total,
        "automatic": automatic,
        "manual": total - automatic,
        "by_cause": [
            {"cause": cause or "manual", "count": n}
            for cause, n in sorted(by_cause.items(), key=lambda c: (-c[1], c[0] or ""))
        ],
    }


def csat(report: Report) -> dict:
    """Surveys answered in the period: average, answers, low scores; response rate of those
    sent in the period."""
    p = report.period
    threshold = FeedbackSettings.current().low_score_threshold
    scoped = Survey.objects.filter(report.scope.q(), report.filters.q("ticket__"))
    answered = scoped.filter(answered_at__gte=p.start, answered_at__lt=p.end).aggregate(
        average=Avg("csat"),
        responses=Count("id"),
        low=Count("id", filter=Q(csat__lte=threshold)),
    )
    sent = scoped.filter(created_at__gte=p.start, created_at__lt=p.end).aggregate(
        sent=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False))
    )
    avg = answered["average"]
    return {
        "average": round(float(avg), 2) if avg is not None else None,
        "responses": answered["responses"],
        "low": answered["low"],
        "low_threshold": threshold,
        "sent": sent["sent"],
        "response_rate": _rate(sent["answered"], sent["sent"]),
    }


def root_causes(report: Report) -> list[dict]:
    """Complaint root causes (Pareto: most frequent first) of tickets opened in the period."""
    rows = (
        ComplaintGuide.objects.filter(
            report.ticket_q(),
            ticket__created_at__gte=report.period.start,
            ticket__created_at__lt=report.period.end,
        )
        .exclude(root_cause="")
        .values("root_cause")
        .annotate(n=Count("id"))
        .order_by("-n", "root_cause")
    )
    causes = quality_rules.root_causes()
    lang = get_language()
    return [
        {
            "code": r["root_cause"],
            "label": quality_rules.text(causes[r["root_cause"]], lang)
            if r["root_cause"] in causes
            else r["root_cause"],
            "count": r["n"],
        }
        for r in rows
    ]


def aftersales(report: Report) -> dict:
    """三包 service orders opened in the period (cancelled ones left out)."""
    p = report.period
    orders = ServiceOrder.objects.filter(
        report.scope.q("store", None),
        created_at__gte=p.start,
        created_at__lt=p.end,
    ).exclude(status=OrderStatus.CANCELLED)
    if report.filters != Filters():
        orders = orders.filter(report.filters.q("ticket__"))
    row = orders.aggregate(
        **{
            "return": Count("id", filter=Q(kind=OrderKind.RETURN)),
            "exchange": Count("id", filter=Q(kind=OrderKind.EXCHANGE)),
            "repair": Count("id", filter=Q(kind=OrderKind.REPAIR)),
            "paid_repair": Count("id", filter=Q(kind=OrderKind.REPAIR, free=False)),
            "not_fixed": Count("id", filter=Q(outcome=RepairOutcome.NOT_FIXED)),
            "depreciation_fees": Coalesce(Sum("depreciation_fee"), ZERO),
            "refunds": Coalesce(Sum("refund"), ZERO),
            "repair_fees": Coalesce(Sum("fee"), ZERO),
        }
    )
    for k in ("depreciation_fees", "refunds", "repair_fees"):
        row[k] = str(Decimal(row[k]).quantize(Decimal("0.01")))
    return row


def compensation(report: Report) -> dict:
    """Approved compensation in the period: total, count, by store."""
    p = report.period
    rows = Compensation.objects.filter(
        report.scope.q(),
        report.filters.q("ticket__"),
        status=CompensationStatus.APPROVED,
        requested_at__gte=p.start,
        requested_at__lt=p.end,
    )
    total = rows.aggregate(total=Coalesce(Sum("amount"), ZERO), count=Count("id"))
    by_store = (
        rows.values("store__code", "store__name")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by("-total")
    )
    return {
        "total": str(Decimal(total["total"]).quantize(Decimal("0.01"))),
        "count": total["count"],
        "by_store": [
            {
                "code": r["store__code"],
                "label": r["store__name"],
                "total": str(r["total"]),
                "count": r["count"],
            }
            for r in by_store
        ],
    }


def aftersales_breakdown(report: Report, *, top: int = 15) -> dict:
    """三包 orders opened in the period by product category and by model (the most frequent
    ``top``); repairs that failed twice; days waiting for parts.

    Repairs that failed twice: purchases with two or more repair orders whose outcome is
    "not fixed" (三包: the customer may then choose an exchange or a return), counted when the
    second such repair was opened in the period."""
    p = report.period
    scoped = ServiceOrder.objects.filter(report.scope.q("store", None)).exclude(
        status=OrderStatus.CANCELLED
    )
    if report.filters != Filters():
        scoped = scoped.filter(report.filters.q("ticket__"))
    orders = scoped.filter(created_at__gte=p.start, created_at__lt=p.end)
    counts = {
        "return": Count("id", filter=Q(kind=OrderKind.RETURN)),
        "exchange": Count("id", filter=Q(kind=OrderKind.EXCHANGE)),
        "repair": Count("id", filter=Q(kind=OrderKind.REPAIR)),
        "paid_repair": Count("id", filter=Q(kind=OrderKind.REPAIR, free=False)),
        "not_fixed": Count("id", filter=Q(outcome=RepairOutcome.NOT_FIXED)),
        "total": Count("id"),
    }

    def rows(key: str, label: str):
        out = []
        for r in orders.values(key, label).annotate(**counts).order_by("-total", key)[:top]:
            out.append(
                {
                    "code": r[key] or "",
                    "label": r[label] or "—",
                    **{k: r[k] for k in counts},
                }
            )
        return out

    failed = (
        scoped.filter(kind=OrderKind.REPAIR, outcome=RepairOutcome.NOT_FIXED, created_at__lt=p.end)
        .values("purchase_id")
        .annotate(n=Count("id"), last=Max("created_at"))
        .filter(n__gte=2, last__gte=p.start, purchase_id__isnull=False)
    )
    wait = orders.filter(parts_wait_days__gt=0).aggregate(
        orders=Count("id"),
        total=Coalesce(Sum("parts_wait_days"), 0),
        longest=Max("parts_wait_days"),
    )
    return {
        "by_category": rows("purchase__category__code", "purchase__category__name"),
        "by_model": rows("purchase__model_name", "purchase__model_name"),
        "failed_twice": failed.count(),
        "parts_wait": {
            "orders": wait["orders"],
            "average_days": round(wait["total"] / wait["orders"], 1) if wait["orders"] else None,
            "longest_days": wait["longest"],
        },
    }


def csat_questions(report: Report) -> list[dict]:
    """Average score per survey question, of the surveys answered in the period."""
    p = report.period
    rows = (
        SurveyAnswer.objects.filter(
            report.scope.q("survey__store", "survey__region"),
            report.filters.q("survey__ticket__"),
            survey__answered_at__gte=p.start,
            survey__answered_at__lt=p.end,
        )
        .values("question_id", "question__text", "question__text_en", "question__position")
        .annotate(average=Avg("score"), n=Count("id"))
        .order_by("question__position", "question_id")
    )
    english = (get_language() or "").startswith("en")
    return [
        {
            "code": r["question_id"],
            "label": (r["question__text_en"] if english and r["question__text_en"] else None)
            or r["question__text"],
            "average": round(float(r["average"]), 2),
            "count": r["n"],
        }
        for r in rows
    ]


def low_scores(report: Report) -> dict:
    """Surveys answered in the period at or below the low-score threshold, and what their 回访
    (low-score follow-up calls) came to: still to call, reached, satisfied, unsatisfied, not
    reached."""
    p = report.period
    threshold = FeedbackSettings.current().low_score_threshold
    low = Survey.objects.filter(
        report.scope.q(),
        report.filters.q("ticket__"),
        answered_at__gte=p.start,
        answered_at__lt=p.end,
        csat__lte=threshold,
    )
    calls = FollowUp.objects.filter(
        reason=FollowUpReason.LOW_SCORE, ticket_id__in=low.values("ticket_id")
    )
    outcomes = dict(calls.values_list("outcome").annotate(n=Count("id")).order_by())
    labels = dict(CallOutcome.choices)
    return {
        "low": low.count(),
        "threshold": threshold,
        "called": calls.count(),
        "outcomes": [
            {
                "code": code or "open",
                "label": str(labels[code]) if code else _("Still to call"),
                "count": outcomes.get(code, 0),
            }
            for code in ["", *CallOutcome.values]
        ],
    }


def escalation_detail(report: Report) -> dict:
    """Escalations in the period by cause, automatic vs manual, and those the rung below could
    have solved.

    Could have been solved a rung below: a manual escalation after which the ticket was
    resolved with at most one public reply from staff, and with no 三包 service order and no
    compensation — the rung above only answered, granting nothing the rung below may not
    (seed 000: 可以一次解决的反而造成客户升级投诉)."""
    p = report.period
    events = TicketEvent.objects.filter(
        report.ticket_q(), kind=EventKind.ESCALATED, created_at__gte=p.start, created_at__lt=p.end
    )
    replies_after = (
        TicketEvent.objects.filter(
            ticket=OuterRef("ticket_id"),
            kind=EventKind.REPLY,
            public=True,
            created_at__gt=OuterRef("created_at"),
        )
        .values("ticket")
        .annotate(n=Count("id"))
        .values("n")
    )
    manual = events.exclude(data__automatic=True).filter(ticket__resolved_at__isnull=False)
    avoidable = (
        manual.annotate(after=Coalesce(Subquery(replies_after), 0))
        .filter(after__lte=1)
        .exclude(Exists(ServiceOrder.objects.filter(ticket_id=OuterRef("ticket_id"))))
        .exclude(Exists(Compensation.objects.filter(ticket_id=OuterRef("ticket_id"))))
    )
    by_cause = (
        events.values("data__cause", "data__automatic").annotate(n=Count("id")).order_by("-n")
    )
    labels = {
        "sla_breach": _("Automatic: SLA breached"),
        "special_case": _("Automatic: special case, straight to the CS department"),
        "manual": _("Manual: escalated by staff"),
        "automatic": _("Automatic: by the system"),
    }
    return {
        "by_cause": [
            {
                "code": _cause(r),
                "label": str(labels.get(_cause(r), r["data__cause"])),
                "automatic": bool(r["data__automatic"]),
                "count": r["n"],
            }
            for r in by_cause
        ],
        "manual_resolved": manual.count(),
        "avoidable": avoidable.count(),
    }


def _cause(row: dict) -> str:
    return row["data__cause"] or ("automatic" if row["data__automatic"] else "manual")


def compensation_reasons(report: Report) -> list[dict]:
    """Approved compensation in the period by purpose (loss we caused / goodwill) and kind."""
    p = report.period
    rows = (
        Compensation.objects.filter(
            report.scope.q(),
            report.filters.q("ticket__"),
            status=CompensationStatus.APPROVED,
            requested_at__gte=p.start,
            requested_at__lt=p.end,
        )
        .values("purpose", "kind")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("-total")
    )
    purposes, kinds = dict(CompensationPurpose.choices), dict(CompensationKind.choices)
    return [
        {
            "code": f"{r['purpose']}:{r['kind']}",
            "label": f"{purposes.get(r['purpose'], r['purpose'])} · {kinds.get(r['kind'], r['kind'])}",
            "total": str(r["total"]),
            "count": r["n"],
        }
        for r in rows
    ]


def qa_service_types(report: Report) -> list[dict]:
    """QA reviews made in the period: per agent, how many were cold, production-line, friendly
    and quality service (the four service types of the QA scorecard)."""
    p = report.period
    counts = {t: Count("id", filter=Q(service_type=t)) for t in ServiceType.values}
    rows = (
        QaReview.objects.filter(
            report.scope.q("store", None),
            report.filters.q("ticket__"),
            created_at__gte=p.start,
            created_at__lt=p.end,
        )
        .values("agent__username", "agent__staff__display_name")
        .annotate(total=Count("id"), **counts)
        .order_by("-total", "agent__username")
    )
    return [
        {
            "code": r["agent__username"],
            "label": r["agent__staff__display_name"] or r["agent__username"],
            "total": r["total"],
            **{t: r[t] for t in ServiceType.values},
        }
        for r in rows
    ]


def voice_of_customer(report: Report) -> list[dict]:
    """What front-line staff heard from customers (the registers' voice-of-customer notes) in
    the period, by theme and product model; notes the CS department filed without a store count
    only for chain-wide readers."""
    rows = VoiceNote.objects.filter(
        report.scope.q("store", None),
        created_at__gte=report.period.start,
        created_at__lt=report.period.end,
    )
    return count_themes(rows)


def breakdowns(report: Report) -> dict:
    """Every breakdown of the dashboard's second half (GET /api/v1/reports/breakdowns)."""
    return {
        "voice_of_customer": voice_of_customer(report),
        "aftersales": aftersales_breakdown(report),
        "csat_questions": csat_questions(report),
        "low_scores": low_scores(report),
        "escalations": escalation_detail(report),
        "compensation_reasons": compensation_reasons(report),
        "qa_service_types": qa_service_types(report),
    }


# --------------------------------------------------------------------------- from the facts
# The same figures read from the narrow fact rows (kefu/analytics/facts.py) instead of joining
# clocks and events to the tickets: one index-range aggregate over TicketFact / ClockFact per
# figure. Every filter of ``Filters`` (type, channel, priority, agent) is a column there, so
# every summary reads the facts; ``summary(report, direct=True)`` answers from the source rows
# (the exactness test compares the two).


def _us_minutes(value) -> float | None:
    return None if value is None else _minutes(datetime.timedelta(microseconds=int(value)))


def _ticket_facts(report: Report) -> QuerySet:
    return TicketFact.objects.filter(report.scope.q(), report.filters.q())


def _clock_facts(report: Report) -> QuerySet:
    return ClockFact.objects.filter(
        report.scope.q(),
        report.filters.q(),
        opened_at__gte=report.period.start,
        opened_at__lt=report.period.end,
    )


PS = (0.5, 0.9)


def _fact_business(report: Report):
    """Business-hours median and p90 per target, from the met clocks' facts: on PostgreSQL
    one grouped percentile_disc pass for both targets, else per target."""
    met = _clock_facts(report).filter(business_seconds__isnull=False)
    if connection.vendor == "postgresql":
        per = {
            r["target"]: r
            for r in met.values("target")
            .annotate(
                **{f"p{i}": _PercentileDisc(F("business_seconds"), q) for i, q in enumerate(PS)}
            )
            .order_by()
        }

        def business(target):
            r = per.get(target, {})
            return {
                "business_median_minutes": _seconds_to_minutes(r.get("p0")),
                "business_p90_minutes": _seconds_to_minutes(r.get("p1")),
            }

        return business

    def business(target):
        pct = percentiles(
            met.filter(target=target), F("business_seconds"), minutes=_seconds_to_minutes
        )
        return {"business_median_minutes": pct[0.5], "business_p90_minutes": pct[0.9]}

    return business


def _fact_figures(report: Report) -> dict:
    """Volume, first response, resolution, SLA and FCR of the summary, from the facts."""
    p = report.period
    rows = _ticket_facts(report)
    opened = rows.filter(created_at__gte=p.start, created_at__lt=p.end)
    postgres = connection.vendor == "postgresql"
    row = opened.aggregate(
        opened=Count("pk"),
        answered=Count("pk", filter=Q(first_response_us__isnull=False)),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        first_contact=Count("pk", filter=Q(first_contact=True)),
        # PostgreSQL: the first-response percentiles in the same pass as the counts.
        **(
            {f"p{i}": _PercentileDisc(F("first_response_us"), q) for i, q in enumerate(PS)}
            if postgres
            else {}
        ),
    )
    resolved = rows.filter(resolved_at__gte=p.start, resolved_at__lt=p.end)
    if postgres:
        fr_pct = {q: _us_minutes(row[f"p{i}"]) for i, q in enumerate(PS)}
    else:
        fr_pct = percentiles(opened, F("first_response_us"), minutes=_us_minutes)
    res_pct = percentiles(resolved, F("resolution_us"), minutes=_us_minutes)
    outcomes = {
        (r["target"], r["outcome"]): r["n"]
        for r in _clock_facts(report).values("target", "outcome").annotate(n=Count("pk")).order_by()
    }
    return _figures(
        report,
        row=row,
        resolved_count=resolved.count(),
        fr_pct=fr_pct,
        res_pct=res_pct,
        outcomes=outcomes,
        business=_fact_business(report),
    )


def _figures(report, *, row, resolved_count, fr_pct, res_pct, outcomes, business) -> dict:
    columns = {
        "met_on_time": ClockOutcome.ON_TIME,
        "met_late": ClockOutcome.LATE,
        "breached": ClockOutcome.BREACHED,
        "running": ClockOutcome.RUNNING,
    }
    labels = dict(Target.choices)
    targets = sorted({t for t, _o in outcomes})
    by_target = [
        {
            "target": t,
            "label": str(labels.get(t, t)),
            **{k: outcomes.get((t, o), 0) for k, o in columns.items()},
        }
        for t in targets
    ]
    totals = {k: sum(outcomes.get((t, o), 0) for t in targets) for k, o in columns.items()}
    decided = totals["met_on_time"] + totals["met_late"] + totals["breached"]
    fr_on_time = outcomes.get((Target.FIRST_RESPONSE, ClockOutcome.ON_TIME), 0)
    fr_met = fr_on_time + outcomes.get((Target.FIRST_RESPONSE, ClockOutcome.LATE), 0)
    return {
        "counts": {
            "opened": row["opened"],
            "resolved": resolved_count,
            "reopened": _reopened(report, from_facts=True),
        },
        "first_response": {
            "median_minutes": fr_pct[0.5],
            "p90_minutes": fr_pct[0.9],
            "answered": row["answered"],
            "on_time_rate": _rate(fr_on_time, fr_met),
            **business(Target.FIRST_RESPONSE),
        },
        "resolution": {
            "median_minutes": res_pct[0.5],
            "p90_minutes": res_pct[0.9],
            **business(Target.RESOLUTION),
        },
        "sla": {
            **totals,
            "breach_rate": _rate(totals["met_late"] + totals["breached"], decided),
            "by_target": by_target,
        },
        "fcr_rate": _rate(row["first_contact"], row["resolved"]),
    }


def _uses_chain_days(report: Report) -> bool:
    """The whole chain, unfiltered: the per-day rollup answers (ChainDay). A region, a store, a
    reader limited to some stores, or any filter reads the per-ticket facts instead."""
    return report.scope.kind == "all" and report.scope.own is None and report.filters == Filters()


def _rank_value(hist: dict[int, int], rows: QuerySet, field: str, p: float, *, us: bool):
    """The nearest-rank ``p`` value: find the bucket holding rank k in the histogram, then read
    the value at that rank within the bucket's value range (index range on ``field``)."""
    n = sum(hist.values())
    if not n:
        return None
    k = max(0, math.ceil(p * n) - 1)
    below = 0
    for b in sorted(hist):
        if below + hist[b] > k:
            break
        below += hist[b]
    scale = 1_000_000 if us else 1
    low, high = facts.bucket_floor(b), facts.bucket_floor(b + 1)
    cond = Q(**{f"{field}__lt": high * scale})
    if low is not None:
        cond &= Q(**{f"{field}__gte": low * scale})
    offset = k - below
    return next(
        iter(rows.filter(cond).order_by(field).values_list(field, flat=True)[offset : offset + 1]),
        None,
    )


def _chain_figures(report: Report) -> dict:
    """Volume, first response, resolution, SLA and FCR of the whole chain from ChainDay: one
    grouped sum over the period's days, then each percentile read within one bucket."""
    p = report.period
    counts: dict[str, int] = {}
    hist: dict[str, dict[int, int]] = {}
    for r in (
        ChainDay.objects.filter(day__gte=p.since, day__lte=p.until)
        .values("metric", "bucket")
        .annotate(total=Sum("n"))
        .order_by()
    ):
        if r["metric"] in ("fr", "res") or r["metric"].startswith("bs:"):
            hist.setdefault(r["metric"], {})[r["bucket"]] = r["total"]
        else:
            counts[r["metric"]] = r["total"]
    opened = TicketFact.objects.filter(created_at__gte=p.start, created_at__lt=p.end)
    resolved = TicketFact.objects.filter(resolved_at__gte=p.start, resolved_at__lt=p.end)
    clocks = ClockFact.objects.filter(opened_at__gte=p.start, opened_at__lt=p.end)

    def pct(metric, rows, field, convert, *, us):
        return [
            convert(_rank_value(hist.get(metric, {}), rows, field, q, us=us)) for q in (0.5, 0.9)
        ]

    fr = pct("fr", opened, "first_response_us", _us_minutes, us=True)
    res = pct("res", resolved, "resolution_us", _us_minutes, us=True)

    def business(target):
        rows = clocks.filter(target=target)
        med, p90 = pct(f"bs:{target}", rows, "business_seconds", _seconds_to_minutes, us=False)
        return {"business_median_minutes": med, "business_p90_minutes": p90}

    outcomes = {}
    for metric, n in counts.items():
        if metric.startswith("clock:"):
            _c, target, outcome = metric.split(":")
            outcomes[target, outcome] = n
    return _figures(
        report,
        row={
            "opened": counts.get("opened", 0),
            "answered": counts.get("answered", 0),
            "resolved": counts.get("resolved_opened", 0),
            "first_contact": counts.get("first_contact", 0),
        },
        resolved_count=counts.get("resolved", 0),
        fr_pct={0.5: fr[0], 0.9: fr[1]},
        res_pct={0.5: res[0], 0.9: res[1]},
        outcomes=outcomes,
        business=business,
    )


def _direct_figures(report: Report) -> dict:
    return {
        "counts": volume_counts(report),
        "first_response": first_response(report),
        "resolution": resolution(report),
        "sla": sla(report),
        "fcr_rate": fcr(report)["rate"],
    }


def summary(report: Report, *, direct: bool = False) -> dict:
    """The whole picture in one answer (the shape of GET /api/v1/reports/summary). Volume,
    first response, resolution, SLA and FCR come from the facts (refreshed first for the
    tickets changed since the last read); ``direct`` computes them from the source rows."""
    if direct:
        figures = _direct_figures(report)
    else:
        facts.refresh_stale()
        figures = _chain_figures(report) if _uses_chain_days(report) else _fact_figures(report)
    counts = figures["counts"]
    esc = escalations(report, from_facts=not direct)
    return {
        "period": report.period.as_json(),
        "scope": report.scope.as_json(),
        "filters": report.filters.as_json(),
        "opened": counts["opened"],
        "resolved": counts["resolved"],
        "reopened": counts["reopened"],
        "first_response": figures["first_response"],
        "resolution": figures["resolution"],
        "sla": figures["sla"],
        "fcr_rate": figures["fcr_rate"],
        "backlog": backlog(report)["buckets"],
        "escalations": esc["by_tier"],
        "csat": csat(report),
        "root_causes": root_causes(report),
        "aftersales": aftersales(report),
        "compensation": compensation(report),
    }


def week_numbers(scope: Scope, start: datetime.date) -> dict:
    """The headline numbers of one week (Monday ``start`` to Sunday): the landing strip and the
    weekly report compare this week's with last week's."""
    r = Report(scope, Period(start, start + datetime.timedelta(days=6)))
    counts = volume_counts(r)
    return {
        **counts,
        "on_time_rate": first_response(r)["on_time_rate"],
        "fcr_rate": fcr(r)["rate"],
        "csat": csat(r)["average"],
    }


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# --------------------------------------------------------------------------- ticket list export

EXPORT_COLUMNS = (
    ("number", "工单号"),
    ("created_at", "创建时间"),
    ("store__code", "门店"),
    ("type", "类型"),
    ("channel", "渠道"),
    ("priority", "优先级"),
    ("status", "状态"),
    ("escalation_tier", "层级"),
    ("customer__name", "客户"),
    ("customer__phone", "手机（已遮蔽）"),
    ("subject", "主题"),
    ("first_response_at", "首次回复时间"),
    ("resolved_at", "解决时间"),
    ("assignee__username", "处理人"),
)


def export_tickets(report: Report, *, status: str | None = None) -> QuerySet:
    """The tickets the ticket export lists: opened in the period, in ``status`` if it is one."""
    rows = report.opened()
    if status in Status.values:
        rows = rows.filter(status=status)
    return rows


def export_rows(report: Report, *, status: str | None = None):
    """The export's tickets as tuples of EXPORT_COLUMNS (``export_values``)."""
    return export_values(export_tickets(report, status=status))


def export_values(tickets: QuerySet):
    """Tickets as tuples of EXPORT_COLUMNS, oldest first, read in chunks from a server-side
    cursor (PostgreSQL) so a 100,000-row export never holds the rows in memory."""
    return (
        tickets.order_by("created_at", "id")
        .values_list(*(c for c, _label in EXPORT_COLUMNS))
        .iterator(chunk_size=2000)
    )


def exports_of(user) -> QuerySet:
    """The user's exports built in the background, newest first (the last 50)."""
    return ExportJob.objects.filter(requested_by=user).order_by("-id")[:50]


def export_of(user, export_id) -> ExportJob:
    """One of the user's own exports; NotFound for anyone else's or none."""
    job = ExportJob.objects.filter(pk=export_id, requested_by=user).first()
    if job is None:
        raise NotFound()
    return job
