"""Reads for SLA: calendars, policies and special-case rules (cached), a ticket's clocks, who stands
on each rung, the "breaching soon" list, and the ``sla`` block of the ticket JSON."""

import logging
import re
import threading
import time
from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kefu import rows
from kefu.org.models import Staff
from kefu.org.roles import LADDER, RUNG_HOLDER, STORE_ROLES, Role, Tier, next_tier
from kefu.tickets.selectors import tickets_visible_to

from .calendar import BusinessCalendar, load_seeded
from .models import (
    Calendar,
    ClockState,
    SlaClock,
    SlaPause,
    SlaPolicy,
    SpecialCaseRule,
    SpecialCaseTrigger,
)
from .seed import CS_DEPARTMENT_CALENDAR
from .special_cases import Detector, Hit

log = logging.getLogger(__name__)

# Admin edits reach this process at once (signals clear the cache) and other worker processes
# within this many seconds: rules change rarely, tickets open hundreds of times a second.
CACHE_SECONDS = 30


class _Cached:
    """A value loaded from the database at most every CACHE_SECONDS, cleared on admin edits."""

    def __init__(self, load):
        self._load, self._value, self._at, self._lock = load, None, 0.0, threading.Lock()

    def get(self):
        value, at = self._value, self._at
        if value is None or time.monotonic() - at > CACHE_SECONDS:
            with self._lock:
                value = self._load()
                self._value, self._at = value, time.monotonic()
        return value

    def clear(self):
        self._value = None


def _load_calendars() -> dict:
    rows = Calendar.objects.prefetch_related("exceptions")
    calendars, cs, labels = {}, None, {}
    for row in rows:
        labels[row.name] = row.description or row.name
        try:
            calendars[row.name] = row.to_business_calendar()
        except ValueError:
            log.exception("business calendar %r is invalid; using the seeded one if any", row.name)
        if row.serves_cs_department:
            cs = row.name
    return {"calendars": calendars, "cs": cs, "labels": labels}


def _load_policies() -> list:
    return list(SlaPolicy.objects.filter(is_active=True).order_by("position", "id"))


def _load_triggers():
    """The special-case detector: the active rules, then each extra phrase an admin added as a
    rule of its own (the phrase as its words, negation and quotation still applying)."""
    rules = [r.as_rule() for r in SpecialCaseRule.objects.filter(is_active=True)]
    for pk, category, phrase in SpecialCaseTrigger.objects.filter(is_active=True).values_list(
        "pk", "category", "phrase"
    ):
        if phrase.strip():
            rules.append(
                {"code": f"phrase.{pk}", "category": category, "patterns": [re.escape(phrase)]}
            )
    try:
        return Detector(rules)
    except ValueError:
        # A bad pattern saved around the admin's validation must not stop tickets opening:
        # compile the rules one by one and leave the broken ones out (the admin shows them).
        good = []
        for rule in rules:
            try:
                Detector([rule])
            except ValueError:
                log.error("special-case rule %s has an invalid pattern", rule["code"])
                continue
            good.append(rule)
        return Detector(good)


_calendars = _Cached(_load_calendars)
_policies = _Cached(_load_policies)
_triggers = _Cached(_load_triggers)
_SEEDED = load_seeded()


def clear_caches(**_kwargs) -> None:
    """Forget cached calendars, policies and triggers (connected to their models' saves)."""
    for cached in (_calendars, _policies, _triggers):
        cached.clear()


# --------------------------------------------------------------------------- rules


def get_calendar(name: str) -> BusinessCalendar:
    """The business calendar called ``name``: the admin's row, else the seeded one of that name,
    else 24/7 (logged), so a typo in a store's calendar never stops its clocks."""
    found = _calendars.get()["calendars"].get(name) or _SEEDED.get(name)
    if found is None:
        log.warning("no business calendar %r; counting calendar hours", name)
        found = _SEEDED["always"]
    return found


def calendar_names() -> set[str]:
    """Names a policy, a store or ``kefu sla due`` may use: the admin's rows and the seeded ones."""
    return set(_calendars.get()["calendars"]) | set(_SEEDED)


def cs_department_calendar() -> str:
    return _calendars.get()["cs"] or CS_DEPARTMENT_CALENDAR


def holder_calendar(ticket, *, tier: str | None = None) -> str:
    """The calendar of whoever holds the ticket (at ``tier``, default its rung): the CS
    department's at the top rung, else the store's."""
    if (tier or ticket.escalation_tier) == Tier.CS_DEPARTMENT:
        return cs_department_calendar()
    return ticket.store.calendar or "store"


def active_policies() -> list[SlaPolicy]:
    return _policies.get()


def match_policy(*, type: str, priority: str, channel: str, vip: bool) -> SlaPolicy | None:
    """The first active policy, by position, that matches these facts (None: no SLA)."""
    return next(
        (
            p
            for p in active_policies()
            if p.matches(type=type, priority=priority, channel=channel, vip=vip)
        ),
        None,
    )


def policy_by_code(code: str) -> SlaPolicy | None:
    """The policy a ticket was matched to (an inactive one still governs its tickets)."""
    if not code:
        return None
    found = next((p for p in active_policies() if p.code == code), None)
    return found or SlaPolicy.objects.filter(code=code).first()


def special_case_hits(text: str) -> list[Hit]:
    """Each special-case rule that fires on ``text`` and the words it fired on, in text order."""
    return _triggers.get().find(text)


# --------------------------------------------------------------------------- people on the ladder

# Who is notified for a rung: its holders (kefu.org.roles.RUNG_HOLDER) in the ticket's store
# or region; at the CS department, its managers (they dispatch the department's queue).


class RungPeople:
    """Who stands on each rung for a set of tickets, loaded in one query."""

    def __init__(self, tickets):
        store_ids = {t.store_id for t in tickets}
        region_ids = {t.region_id for t in tickets}
        rows = (
            Staff.objects.filter(user__is_active=True)
            .filter(
                Q(role__in=STORE_ROLES, store_id__in=store_ids)
                | Q(role=Role.REGIONAL_MANAGER, region_id__in=region_ids)
                | Q(role=RUNG_HOLDER[Tier.CS_DEPARTMENT])
            )
            .values_list("user_id", "role", "store_id", "region_id")
        )
        self._by_key: dict[tuple, list[int]] = {}
        for user_id, role, store_id, region_id in rows:
            scope = (
                store_id
                if role in STORE_ROLES
                else region_id
                if role == Role.REGIONAL_MANAGER
                else None
            )
            self._by_key.setdefault((role, scope), []).append(user_id)

    def of(self, tier: str, ticket) -> list[int]:
        """The people of rung ``tier`` for this ticket's store or region."""
        role = RUNG_HOLDER[tier]
        scope = (
            ticket.store_id
            if role in STORE_ROLES
            else ticket.region_id
            if role == Role.REGIONAL_MANAGER
            else None
        )
        return list(self._by_key.get((role, scope), []))

    def holders(self, ticket) -> list[int]:
        """Whoever holds the ticket: its assignee, else its rung's people."""
        return (
            [ticket.assignee_id] if ticket.assignee_id else self.of(ticket.escalation_tier, ticket)
        )

    def above(self, ticket) -> list[int]:
        """The next rung's people (the CS department's managers at the top)."""
        return self.of(next_tier(ticket.escalation_tier) or LADDER[-1], ticket)


# --------------------------------------------------------------------------- a ticket's clocks


@rows.prepared
def _clocks_of(ticket_id: int):
    return SlaClock.objects.filter(ticket_id=ticket_id).order_by("started_at", "id")


@rows.prepared
def _pauses_of(ticket_id: int):
    return SlaPause.objects.filter(ticket_id=ticket_id).order_by("started_at", "id")


def ticket_clocks(ticket) -> list[SlaClock]:
    return _clocks_of(ticket.id)


def calendar_labels() -> dict[str, str]:
    """Calendar name → what people read (its description, e.g. 门店营业时间; the name if none)."""
    return _calendars.get()["labels"]


def ticket_pauses(ticket) -> list[SlaPause]:
    return _pauses_of(ticket.id)


def active_clocks(ticket) -> list[SlaClock]:
    clocks = SlaClock.objects.filter(
        ticket=ticket, state__in=[ClockState.RUNNING, ClockState.PAUSED]
    )
    return list(clocks.order_by("due_at", "id"))


def breaching_soon(
    user, *, within: timedelta = timedelta(hours=4), now: datetime | None = None
) -> QuerySet:
    """Open tickets in the user's scope whose next due time is past or within ``within``,
    soonest first (through the sla_due index)."""

    now = now or timezone.now()
    return (
        tickets_visible_to(user)
        .filter(sla_due__lte=now + within)
        .order_by(F("sla_due").asc(), "id")
    )


def overdue_and_due_soon(
    user, *, within: timedelta = timedelta(hours=4), now: datetime | None = None
) -> tuple[QuerySet, QuerySet]:
    """The breaching-soon list in its two parts: open tickets already past their next due time
    (已超时, longest overdue first) and those due within ``within`` (即将超时, soonest first)."""

    now = now or timezone.now()
    visible = tickets_visible_to(user)
    overdue = visible.filter(sla_due__lte=now).order_by(F("sla_due").asc(), "id")
    soon = visible.filter(sla_due__gt=now, sla_due__lte=now + within).order_by(
        F("sla_due").asc(), "id"
    )
    return overdue, soon


# --------------------------------------------------------------------------- the ticket JSON


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def sla_json(ticket) -> dict | None:
    """The ``sla`` block of the ticket JSON, from the ticket row alone (no query):
    ``{policy, first_response_due, next_reply_due, resolution_due, solution_promised_at,
    paused, breached}``, times in ISO 8601 with their offset. None when no policy applies."""
    if not ticket.sla_policy:
        return None
    return {
        "policy": ticket.sla_policy,
        "first_response_due": _iso(ticket.first_response_due),
        "next_reply_due": _iso(ticket.next_reply_due),
        "resolution_due": _iso(ticket.resolution_due),
        "solution_promised_at": _iso(ticket.solution_promised_at),
        "paused": ticket.sla_paused_at is not None,
        "breached": list(ticket.sla_breached or []),
    }
