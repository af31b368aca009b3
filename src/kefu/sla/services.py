"""Writes of SLA clocks: start, stop, pause and resume them as the ticket moves; the solution
timetable (承诺解决时间); the breach sweep with its warnings, breaches and escalations.

Clock writes happen inside the ticket services' transactions (through their signals, the ticket
row already locked) or under the sweep's own row locks, so a ticket's clocks are never written
by two transactions at once. The copies on the ticket row (due times, ``sla_next_due``) are
written with ``UPDATE`` and do not bump the ticket's version: bookkeeping is not an edit.
"""

import logging
import time
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DateTimeField, F, JSONField, Min, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu import rows as db_rows
from kefu.errors import Conflict, Forbidden, InvalidInput, KefuError
from kefu.notifications.models import NotificationKind
from kefu.notifications.services import notify_many
from kefu.org.roles import Tier, next_tier
from kefu.org.selectors import can
from kefu.tasks import queued
from kefu.tickets import services as ticket_services
from kefu.tickets.models import DONE_STATUSES, EventKind, Ticket, TicketEvent
from kefu.tickets.timeline import lock_ticket, record_event, record_events, save_ticket

from .calendar import add_business_time, business_time_between
from .models import (
    DEFAULT_PAUSED,
    ClockState,
    SlaClock,
    SlaPause,
    SlaPolicy,
    Target,
    TriggerCategory,
)
from .selectors import (
    RungPeople,
    active_clocks,
    get_calendar,
    holder_calendar,
    match_policy,
    policy_by_code,
    special_case_hits,
)

log = logging.getLogger(__name__)

SLA_FIELDS = (
    "sla_policy",
    "first_response_due",
    "next_reply_due",
    "resolution_due",
    "solution_promised_at",
    "sla_due",
    "sla_warn_at",
    "sla_next_due",
    "sla_paused_at",
    "sla_breached",
)
MAX_PROMISE = timedelta(days=366)
ESCALATION_RETRY = timedelta(minutes=5)
# What the sweep reads of a due ticket (its text columns stay on disk).
SWEEP_TICKET_FIELDS = (
    "number",
    "store_id",
    "region_id",
    "assignee_id",
    "escalation_tier",
    "sla_policy",
    "sla_breached",
    "sla_due",
    "sla_warn_at",
    "sla_next_due",
)


def _site_language():
    # Events and notifications are stored as text, written in the site's language whoever
    # (or whatever: the sweep) caused them.
    return translation.override(settings.LANGUAGE_CODE)


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _paused_statuses(policy: SlaPolicy | None) -> list[str]:
    return list(policy.paused_statuses) if policy is not None else list(DEFAULT_PAUSED)


# --------------------------------------------------------------------------- clock arithmetic


def new_clock(ticket, policy: SlaPolicy, target: str, start: datetime) -> SlaClock | None:
    """An unsaved clock for ``target`` starting at ``start`` (None when the policy sets no
    target). Due and warning instants are business time on the target's calendar."""
    minutes = policy.minutes(target)
    if not minutes:
        return None
    name = policy.calendar_for(target)
    follows = not name
    name = name or holder_calendar(ticket)
    cal = get_calendar(name)
    total = timedelta(minutes=minutes)
    warn = timedelta(seconds=round(minutes * 60 * policy.warn_percent / 100))
    return SlaClock(
        ticket=ticket,
        target=target,
        calendar=name,
        follows_holder=follows,
        target_minutes=minutes,
        started_at=start,
        warn_at=add_business_time(start, warn, cal),
        due_at=add_business_time(start, total, cal),
    )


def _shift(clock: SlaClock, since: datetime, until: datetime) -> None:
    """Move the clock's pending instants by exactly the business time in [since, until)."""
    cal = get_calendar(clock.calendar)
    paused = business_time_between(since, until, cal)
    if paused <= timedelta(0):
        return
    clock.paused_seconds += int(paused.total_seconds())
    if clock.breached_at is None:
        clock.due_at = add_business_time(clock.due_at, paused, cal)
    if clock.warned_at is None:
        clock.warn_at = add_business_time(clock.warn_at, paused, cal)


def _stop(clock: SlaClock, state: str, now: datetime) -> None:
    """Stop the clock. A clock met after its due time is met late: a breach, whether or not the
    sweep saw it first (it runs once a minute, and a reply may land in between, or the sweep
    may be down), so it carries ``breached_at`` = when it fell due."""
    if clock.state == ClockState.PAUSED and clock.paused_at:
        # Count the pause that ends now, and move the due time by it, as a resume would: a
        # clock stopped while paused is compared with the due time it would have had.
        _shift(clock, clock.paused_at, now)
    clock.state, clock.stopped_at, clock.paused_at = state, now, None
    clock.business_seconds = business_seconds(clock)
    if state == ClockState.MET and clock.breached_at is None and now > clock.due_at:
        clock.breached_at = clock.due_at
        clock.warned_at = clock.warned_at or clock.warn_at


def business_seconds(clock: SlaClock) -> int | None:
    """A stopped clock's start-to-stop time in business hours of the ticket's store (its
    calendar, holidays and opening hours): the customer's wait as the store's working time,
    whatever calendar the clock's promise runs on (the 24-hour first response runs on calendar
    hours). Pauses are not taken out, like the calendar-hours figure it stands beside."""
    if clock.stopped_at is None:
        return None
    cal = get_calendar(clock.ticket.store.calendar or "store")
    elapsed = business_time_between(clock.started_at, clock.stopped_at, cal)
    return max(0, int(elapsed.total_seconds()))


def fill_business_seconds(batch_size: int = 2000) -> int:
    """Fill ``business_seconds`` of stopped clocks that lack it (clocks stopped before the
    field existed); idempotent, the number filled."""
    done = 0
    while True:
        clocks = list(
            SlaClock.objects.filter(stopped_at__isnull=False, business_seconds__isnull=True)
            .select_related("ticket__store")
            .order_by("id")
            .only("id", "started_at", "stopped_at", "ticket__store__calendar")[:batch_size]
        )
        if not clocks:
            return done
        for c in clocks:
            c.business_seconds = business_seconds(c)
        SlaClock.objects.bulk_update(clocks, ["business_seconds"])
        done += len(clocks)


def _breached_late(ticket, stopped: list[SlaClock]) -> dict:
    """The ticket's ``sla_breached`` with the targets of clocks just met late, for sync_ticket
    (empty when nothing new was late)."""
    known = list(ticket.sla_breached or [])
    late = [
        c.target
        for c in stopped
        if c.state == ClockState.MET and c.breached_at is not None and c.target not in known
    ]
    return {"sla_breached": [*known, *dict.fromkeys(late)]} if late else {}


def _rebase(clock: SlaClock, calendar: str, now: datetime) -> None:
    """Carry the clock's remaining business time over to another calendar (the ticket moved to
    a holder that keeps other hours): what was left stays left, counted in the new hours."""
    old, new = get_calendar(clock.calendar), get_calendar(calendar)
    base = clock.paused_at or now
    for field, done in (("due_at", clock.breached_at), ("warn_at", clock.warned_at)):
        instant = getattr(clock, field)
        if done is None and instant > base:
            setattr(
                clock,
                field,
                add_business_time(base, business_time_between(base, instant, old), new),
            )
    clock.calendar = calendar


def sync_ticket(ticket, clocks: list[SlaClock], **extra) -> None:
    """Copy the active clocks' due times onto the ticket row (one UPDATE, only when something
    changed) and onto the instance in memory."""
    running = [c for c in clocks if c.state == ClockState.RUNNING]
    first = {}
    for c in sorted(clocks, key=lambda c: c.due_at):
        first.setdefault(c.target, c)
    soonest = min(running, key=lambda c: c.due_at, default=None)
    pending = [
        c.warn_at if c.warned_at is None else c.due_at for c in running if c.breached_at is None
    ]
    fields = {
        "first_response_due": first[Target.FIRST_RESPONSE].due_at
        if Target.FIRST_RESPONSE in first
        else None,
        "next_reply_due": first[Target.NEXT_REPLY].due_at if Target.NEXT_REPLY in first else None,
        "resolution_due": first[Target.RESOLUTION].due_at if Target.RESOLUTION in first else None,
        "sla_due": soonest.due_at if soonest else None,
        "sla_warn_at": soonest.warn_at if soonest else None,
        "sla_next_due": min(pending, default=None),
        **extra,
    }
    changed = {k: v for k, v in fields.items() if getattr(ticket, k) != v}
    if changed:
        db_rows.update(Ticket, ticket.pk, **changed)
        for k, v in changed.items():
            setattr(ticket, k, v)


def _save_clocks(clocks: list[SlaClock]) -> None:
    # A ticket has a handful of clocks: bulk_update's CASE WHEN is fine at this size.
    SlaClock.objects.bulk_update(
        clocks,
        [
            "state",
            "calendar",
            "warn_at",
            "due_at",
            "paused_at",
            "paused_seconds",
            "stopped_at",
            "business_seconds",
            "warned_at",
            "breached_at",
        ],
    )


# --------------------------------------------------------------------------- ticket life cycle


def start_clocks(ticket) -> SlaPolicy | None:
    """A new ticket: match its policy (first match wins) and start the first-response and
    resolution clocks from the moment it was opened; then send special cases straight to the
    CS department."""
    vip = ticket.customer.is_vip
    policy = match_policy(
        type=ticket.type, priority=ticket.priority, channel=ticket.channel, vip=vip
    )
    if policy is not None:
        clocks = [
            c
            for c in (
                new_clock(ticket, policy, t, ticket.created_at)
                for t in (Target.FIRST_RESPONSE, Target.RESOLUTION)
            )
            if c
        ]
        db_rows.insert(clocks)
        sync_ticket(ticket, clocks, sla_policy=policy.code)
        if ticket.status in _paused_statuses(policy):
            pause_or_resume(ticket, previous=None, status=ticket.status)
    route_special_case(ticket, f"{ticket.subject}\n{ticket.description}", vip=vip)
    return policy


def reply_sent(ticket, event) -> None:
    """A public reply stops the next-reply clock, and the first-response clock too unless the
    policy also wants the solution timetable promised first."""
    if not event.public or not ticket.sla_policy:
        return
    policy = policy_by_code(ticket.sla_policy)
    wants_timetable = policy is not None and policy.requires_solution_timetable
    now = timezone.now()
    clocks, stopped = active_clocks(ticket), []
    for c in clocks:
        if c.target == Target.NEXT_REPLY or (
            c.target == Target.FIRST_RESPONSE
            and (not wants_timetable or ticket.solution_promised_at)
        ):
            _stop(c, ClockState.MET, now)
            stopped.append(c)
    if stopped:
        _save_clocks(stopped)
        sync_ticket(ticket, [c for c in clocks if c.is_active], **_breached_late(ticket, stopped))


def customer_wrote(ticket, event) -> None:
    """A customer message starts a next-reply clock (unless a reply is already owed) and may
    make the ticket a special case."""
    policy = policy_by_code(ticket.sla_policy)
    if policy is not None and policy.next_reply_minutes:
        clocks = active_clocks(ticket)
        if not any(c.target in (Target.FIRST_RESPONSE, Target.NEXT_REPLY) for c in clocks):
            now = timezone.now()
            clock = new_clock(ticket, policy, Target.NEXT_REPLY, now)
            if ticket.status in _paused_statuses(policy):
                clock.state, clock.paused_at = ClockState.PAUSED, now
            clock.save()
            sync_ticket(ticket, [*clocks, clock])
    route_special_case(ticket, event.body, vip=ticket.customer.is_vip)


def pause_or_resume(ticket, *, previous: str | None, status: str) -> None:
    """Follow a status change: resolving stops the clocks (resolution met, the others no longer
    needed); reopening resumes the resolution clock without counting the time it sat resolved;
    entering a paused status pauses the running clocks, leaving it resumes them with every due
    time moved by exactly the business time paused. Pauses are recorded."""
    if not ticket.sla_policy:
        return
    policy = policy_by_code(ticket.sla_policy)
    paused = _paused_statuses(policy)
    now = timezone.now()
    clocks = active_clocks(ticket)
    if status in DONE_STATUSES:
        for c in clocks:
            _stop(c, ClockState.MET if c.target == Target.RESOLUTION else ClockState.CANCELLED, now)
        _save_clocks(clocks)
        if ticket.sla_paused_at:
            SlaPause.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=now)
        sync_ticket(ticket, [], sla_paused_at=None, **_breached_late(ticket, clocks))
        return
    changed = []
    if previous in DONE_STATUSES:
        last = (
            SlaClock.objects.filter(ticket=ticket, target=Target.RESOLUTION, state=ClockState.MET)
            .order_by("-stopped_at", "-id")
            .first()
        )
        if last is not None and not any(c.target == Target.RESOLUTION for c in clocks):
            _shift(last, last.stopped_at, now)
            last.state, last.stopped_at = ClockState.RUNNING, None
            clocks.append(last)
            changed.append(last)
    extra = {}
    if status in paused and ticket.sla_paused_at is None:
        for c in clocks:
            if c.state == ClockState.RUNNING:
                c.state, c.paused_at = ClockState.PAUSED, now
                changed.append(c)
        SlaPause.objects.create(ticket=ticket, status=status, started_at=now)
        extra["sla_paused_at"] = now
    elif status not in paused and ticket.sla_paused_at is not None:
        for c in clocks:
            if c.state == ClockState.PAUSED:
                _shift(c, c.paused_at, now)
                c.state, c.paused_at = ClockState.RUNNING, None
                changed.append(c)
        SlaPause.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=now)
        extra["sla_paused_at"] = None
    if changed:
        _save_clocks(list({c.pk: c for c in changed}.values()))
    sync_ticket(ticket, clocks, **extra)


def route_special_case(ticket, text: str, *, vip: bool) -> bool:
    """Send a special case (media threat, 12315 / regulators, lawyers, safety hazard, VIP)
    straight to the CS department, once: a ticket already there stays put. True if escalated.

    The escalation's timeline entry says which rule fired on which of the customer's words
    (规则 media.outlet：“找记者”), so the CS department sees why the ticket came to them and
    an admin can tune the rule that misfired."""
    if ticket.escalation_tier == Tier.CS_DEPARTMENT or ticket.status in DONE_STATUSES:
        return False
    with _site_language():
        reasons = [str(_("VIP customer"))] if vip else []
        reasons += [
            _("%(category)s (rule %(rule)s): “%(words)s”")
            % {"category": TriggerCategory(h.category).label, "rule": h.rule, "words": h.words}
            for h in special_case_hits(text)
        ]
        if not reasons:
            return False
        reason = _("Special case, straight to the customer-service department: %(reasons)s") % {
            "reasons": "; ".join(reasons)
        }
    _escalate(ticket, reason, cause="special_case", to_tier=Tier.CS_DEPARTMENT)
    return True


def _escalate(ticket, reason: str, *, cause: str, to_tier: str | None = None):
    """Automatic escalation through the ticket service; the caller's instance is refreshed."""
    locked = ticket_services.escalate(
        actor=None, ticket=ticket, reason=reason, to_tier=to_tier, automatic=True, cause=cause
    )
    for field in ("escalation_tier", "assignee_id", "status", "version", "updated_at", *SLA_FIELDS):
        setattr(ticket, field, getattr(locked, field))
    return locked


def escalated(
    ticket, *, actor, previous: str, tier: str, automatic: bool, reason: str = ""
) -> None:
    """After any escalation: tell the new rung's people, and move clocks that follow the holder
    onto the new holder's calendar."""
    people = RungPeople([ticket])
    with _site_language():
        text = _("%(number)s escalated to %(tier)s: %(reason)s") % {
            "number": ticket.number,
            "tier": Tier(tier).label,
            "reason": reason,
        }
    item = (
        [i for i in people.of(tier, ticket) if i != getattr(actor, "pk", None)],
        NotificationKind.ESCALATED,
        text,
        ticket,
    )
    notify_many([item])
    calendar = holder_calendar(ticket)
    if not ticket.sla_policy or calendar == holder_calendar(ticket, tier=previous):
        return
    clocks = active_clocks(ticket)
    moved = [c for c in clocks if c.follows_holder and c.calendar != calendar]
    if moved:
        now = timezone.now()
        for c in moved:
            _rebase(c, calendar, now)
        _save_clocks(moved)
        sync_ticket(ticket, clocks)


# --------------------------------------------------------------------------- solution timetable


@transaction.atomic
def set_solution_timetable(
    *, actor, ticket, promised_at: datetime, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Promise the customer a time for the solution (承诺解决时间, seed 001: given in the first
    response). A public timeline event records it; where the policy waits for it, the
    first-response clock stops once a reply has also been sent."""
    if not can(actor, "tickets.reply"):
        raise Forbidden(_("Your role may not do this on a ticket."))
    if not isinstance(promised_at, datetime) or timezone.is_naive(promised_at):
        raise InvalidInput(
            _("%(field)s: give a date and time with its time zone."), field="promised_at"
        )
    now = timezone.now()
    if not now < promised_at <= now + MAX_PROMISE:
        raise InvalidInput(
            _("%(field)s: the promised time must lie in the future, within a year."),
            field="promised_at",
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput(_("%(field)s: longer than %(max)s characters."), field="note", max=2000)
    locked = lock_ticket(ticket, expected_version)
    if locked.status in DONE_STATUSES:
        raise Conflict(
            _("A resolved or closed ticket needs no solution timetable; reopen it first.")
        )
    previous = locked.solution_promised_at
    with _site_language():
        body = note or _("We will have a solution for you by %(when)s.") % {
            "when": _local(promised_at)
        }
    record_event(
        locked,
        EventKind.SOLUTION_TIMETABLE,
        actor,
        public=True,
        body=body,
        touch=False,
        promised_at=timezone.localtime(promised_at).isoformat(),
        previous=timezone.localtime(previous).isoformat() if previous else None,
    )
    locked.solution_promised_at = promised_at
    save_ticket(locked, "solution_promised_at")
    if locked.first_response_at:
        clocks = active_clocks(locked)
        waiting = [c for c in clocks if c.target == Target.FIRST_RESPONSE]
        for c in waiting:
            _stop(c, ClockState.MET, now)
        if waiting:
            _save_clocks(waiting)
            sync_ticket(
                locked, [c for c in clocks if c.is_active], **_breached_late(locked, waiting)
            )
    return locked


# --------------------------------------------------------------------------- the sweep


def sweep(*, now: datetime | None = None, batch_size: int = 500, max_batches: int = 200) -> dict:
    """Fire what is due: at ``warn_percent`` of a target a warning (event + notification to the
    holder), at 100% a breach (event, and the next rung told; where the policy says so, one rung
    of escalation instead, queued to ``escalate_breaches``, which tells that rung). Reads only
    tickets with ``sla_next_due <= now`` through its index, in batches locked with SKIP LOCKED,
    so several workers can sweep at once; each warning and breach fires once, because it is
    stamped on its clock under the ticket's row lock and the ticket's ``sla_next_due`` moves
    past it in the same transaction. ``escalations`` in the report counts those queued."""
    started = time.perf_counter()
    now = now or timezone.now()
    report = {
        "tickets": 0,
        "warnings": 0,
        "breaches": 0,
        "escalations": 0,
        "notifications": 0,
        "batches": 0,
    }
    # Escalations whose task never ran (a worker died between the sweep and the task): again.
    stale = list(
        SlaClock.objects.filter(
            escalation_pending=True, breached_at__lte=now - ESCALATION_RETRY
        ).values_list("pk", flat=True)[:1000]
    )
    report["escalations_retried"] = len(stale)
    if stale:
        _queue_escalations(stale)
    with _site_language():
        for _batch in range(max_batches):
            claimed = _sweep_batch(now, batch_size, report)
            if claimed:
                report["batches"] += 1
            if claimed < batch_size:
                break
    report["seconds"] = round(time.perf_counter() - started, 4)
    return report


def _queue_escalations(clock_ids: list[int]) -> None:
    # Queued at once, not on commit: a worker that starts early waits on the tickets' row locks
    # (or SQLite's write lock) until the sweep commits, then sees its markers. In immediate mode
    # (tests, `kefu sla sweep` without a queue) it runs here, inside the sweep's transaction.
    escalate_breaches_task(list(clock_ids))


def escalate_breaches(clock_ids: list[int]) -> int:
    """Climb one rung for each breach the sweep marked (its clock's ``escalation_pending``),
    through the ticket service's ``escalate``; the new rung's people are told. A Huey task runs
    it after the sweep, so a burst of breaches spreads over the workers and the sweep's row
    locks stay short. Each ticket is locked first, then its marker cleared with a conditional
    UPDATE: however many times the task runs, a breach escalates once. Returns how many climbed."""
    rows = list(
        SlaClock.objects.filter(pk__in=list(clock_ids), escalation_pending=True).values_list(
            "pk", "ticket_id", "target"
        )
    )
    if not rows:
        return 0
    climbed = 0
    with _site_language():
        for clock_id, ticket_id, target in rows:
            with transaction.atomic():
                ticket = lock_ticket(ticket_id)
                if not SlaClock.objects.filter(pk=clock_id, escalation_pending=True).update(
                    escalation_pending=False, escalated_at=timezone.now()
                ):
                    continue  # another worker escalated it first
                if ticket.status in DONE_STATUSES or not next_tier(ticket.escalation_tier):
                    continue  # settled, or at the top already, since the breach
                reason = _("SLA breached: %(targets)s.") % {"targets": Target(target).label}
                try:
                    _escalate(ticket, reason, cause="sla_breach")
                    climbed += 1
                except KefuError:
                    log.exception("automatic escalation of ticket %s refused", ticket.pk)
    return climbed


# The queued form of escalate_breaches. Declared beside the service that queues it (tasks.py
# holds the periodic sweep, which calls this module: tasks → services, never back).
escalate_breaches_task = queued(escalate_breaches, retries=3, retry_delay=30)


def _next_instant():
    """Per ticket (OuterRef pk): the earliest pending warning or due time of its running clocks."""
    pending = Case(When(warned_at__isnull=True, then=F("warn_at")), default=F("due_at"))
    return (
        SlaClock.objects.filter(
            ticket_id=OuterRef("pk"), state=ClockState.RUNNING, breached_at__isnull=True
        )
        .order_by()
        .values("ticket_id")
        .annotate(at=Min(pending))
        .values("at")[:1]
    )


@transaction.atomic
def _sweep_batch(now: datetime, batch_size: int, report: dict) -> int:
    tickets = list(
        Ticket.objects.select_for_update(skip_locked=True)
        .only(*SWEEP_TICKET_FIELDS)
        .filter(sla_next_due__lte=now)
        .order_by("sla_next_due", "id")[:batch_size]
    )
    if not tickets:
        return 0
    by_id = {t.pk: t for t in tickets}
    # Plain rows, not model instances: the sweep reads a few fields of hundreds of clocks.
    clocks = [
        SimpleNamespace(**row)
        for row in SlaClock.objects.filter(
            ticket_id__in=list(by_id), state=ClockState.RUNNING
        ).values(
            "pk", "ticket_id", "target", "calendar", "warn_at", "due_at", "warned_at", "breached_at"
        )
    ]
    people = RungPeople(tickets)
    events, notes, stamped, breaches = [], [], [], {}
    for c in clocks:
        t = by_id[c.ticket_id]
        label = Target(c.target).label
        data = {
            "target": c.target,
            "tier": t.escalation_tier,
            "due": timezone.localtime(c.due_at).isoformat(),
            "calendar": c.calendar,
            "clock": c.pk,
        }
        if c.breached_at is None and c.due_at <= now:
            # A sweep that was down past the warning goes straight to the breach.
            c.breached_at, c.warned_at = now, c.warned_at or now
            body = _("%(target)s target breached (was due %(due)s).") % {
                "target": label,
                "due": _local(c.due_at),
            }
            events.append(
                TicketEvent(ticket_id=t.pk, kind=EventKind.SLA_BREACH, body=body, data=data)
            )
            breaches.setdefault(t.pk, []).append(c)
            if c.target not in t.sla_breached:
                t.sla_breached = [*t.sla_breached, c.target]
        elif c.warned_at is None and c.warn_at <= now:
            c.warned_at = now
            policy = policy_by_code(t.sla_policy)
            body = _("%(target)s: %(percent)s%% of the target used, due %(due)s.") % {
                "target": label,
                "percent": policy.warn_percent if policy else 75,
                "due": _local(c.due_at),
            }
            events.append(
                TicketEvent(ticket_id=t.pk, kind=EventKind.SLA_WARNING, body=body, data=data)
            )
            notes.append(
                (people.holders(t), NotificationKind.SLA_WARNING, f"{t.number}: {body}", t)
            )
            report["warnings"] += 1
        else:
            continue
        stamped.append(c)
    # Stamp the clocks (conditionally: a stamp is written once even if a row lock were missed),
    # write the events, then move each ticket's sla_next_due past what just fired, computed
    # from its clocks in the database: a handful of statements per batch, whatever its size.
    warned = [c.pk for c in stamped if c.breached_at is None]
    breached = [c.pk for c in stamped if c.breached_at is not None]
    SlaClock.objects.filter(pk__in=warned, warned_at__isnull=True).update(warned_at=now)
    SlaClock.objects.filter(pk__in=breached, breached_at__isnull=True).update(
        breached_at=now, warned_at=Coalesce("warned_at", Value(now, output_field=DateTimeField()))
    )
    # Clock events are not activity on the ticket: its updated_at stays (the UPDATE below
    # writes what the sweep changes).
    record_events(events, touch=False)
    by_list: dict[tuple, list[int]] = {}
    for ticket_id in breaches:
        by_list.setdefault(tuple(by_id[ticket_id].sla_breached), []).append(ticket_id)
    # One UPDATE per batch (each row version rewrites the ticket's indexes: do it once).
    breached_lists = Case(
        *[
            When(pk__in=ids, then=Value(list(names), output_field=JSONField()))
            for names, ids in by_list.items()
        ],
        default=F("sla_breached"),
    )
    Ticket.objects.filter(pk__in=list(by_id)).update(
        sla_next_due=Subquery(_next_instant()),
        **({"sla_breached": breached_lists} if by_list else {}),
    )
    report["tickets"] += len(tickets)
    report["breaches"] += sum(len(v) for v in breaches.values())

    escalate = []
    for ticket_id, breached in breaches.items():
        t = by_id[ticket_id]
        policy = policy_by_code(t.sla_policy)
        if policy is not None and policy.escalate_on_breach and next_tier(t.escalation_tier):
            escalate.append(
                breached[0].pk
            )  # one rung per ticket per sweep; the task tells that rung
            continue
        text = _("%(number)s: %(targets)s target breached; the ticket is with %(tier)s.") % {
            "number": t.number,
            "targets": ", ".join(str(Target(c.target).label) for c in breached),
            "tier": Tier(t.escalation_tier).label,
        }
        notes.append((people.above(t), NotificationKind.SLA_BREACH, text, t))
    if escalate:
        SlaClock.objects.filter(pk__in=escalate).update(escalation_pending=True)
        report["escalations"] += len(escalate)
        _queue_escalations(escalate)
    report["notifications"] += notify_many(notes)
    return len(tickets)
