"""SLA endpoints: the solution timetable, a ticket's clocks, the "breaching soon" list and the
due-time calculator. Handlers parse, call a service or selector, and shape the answer."""

from datetime import datetime, timedelta
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from kefu.api.schema import ERRORS, Strict, expected_version
from kefu.errors import Forbidden, InvalidInput
from kefu.org.selectors import can
from kefu.tickets import selectors as ticket_selectors
from kefu.tickets.api import TicketDetailOut, TicketList, detail, ticket_out

from . import selectors, services
from .calendar import add_business_time
from .models import Target

router = Router()
# Mounted at the API root: the endpoints sit under /tickets/{id}/… and /sla/….
API_PREFIX = ""
API_TAGS = ["sla"]


class TimetableIn(Strict):
    promised_at: datetime = Field(description="when the solution is promised, ISO 8601 with offset")
    note: str | None = Field(None, max_length=2000, description="message to the customer (public)")
    version: int | None = None


class ClockOut(Schema):
    target: Literal[tuple(Target.values)]  # type: ignore[valid-type]
    state: str
    calendar: str
    target_minutes: int
    started_at: datetime
    warn_at: datetime
    due_at: datetime
    paused_seconds: int
    warned_at: datetime | None
    breached_at: datetime | None
    stopped_at: datetime | None


class PauseOut(Schema):
    status: str
    started_at: datetime
    ended_at: datetime | None


class SlaOut(Schema):
    policy: str | None
    policy_name: str | None
    clocks: list[ClockOut]
    pauses: list[PauseOut]


class DueOut(Schema):
    calendar: str
    start: datetime
    hours: float
    due: str


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt)


@router.post(
    "/tickets/{int:ticket_id}/solution-timetable",
    response={200: TicketDetailOut, **ERRORS},
    summary="Promise the customer a solution time (承诺解决时间)",
)
def solution_timetable(request, ticket_id: int, payload: TimetableIn):
    """Sets `sla.solution_promised_at` and adds a public timeline event. Where the policy asks for
    a timetable in the first response, the first-response clock stops once both a public reply
    and the timetable exist."""
    ticket = ticket_selectors.get_ticket(request.auth, ticket_id)
    services.set_solution_timetable(
        actor=request.auth,
        ticket=ticket,
        promised_at=payload.promised_at,
        note=payload.note or "",
        expected_version=expected_version(request, payload.version),
    )
    return detail(request, ticket_id)


@router.get(
    "/tickets/{int:ticket_id}/sla",
    response={200: SlaOut, **ERRORS},
    summary="A ticket's SLA clocks and pauses",
)
def ticket_sla(request, ticket_id: int):
    ticket = ticket_selectors.get_ticket(request.auth, ticket_id)
    policy = selectors.policy_by_code(ticket.sla_policy)
    return {
        "policy": ticket.sla_policy or None,
        "policy_name": policy.name if policy else None,
        "clocks": [
            {
                **{f: getattr(c, f) for f in ClockOut.model_fields},
                **{
                    f: _local(getattr(c, f)) if getattr(c, f) else None
                    for f in (
                        "started_at",
                        "warn_at",
                        "due_at",
                        "warned_at",
                        "breached_at",
                        "stopped_at",
                    )
                },
            }
            for c in selectors.ticket_clocks(ticket)
        ],
        "pauses": [
            {
                "status": p.status,
                "started_at": _local(p.started_at),
                "ended_at": _local(p.ended_at) if p.ended_at else None,
            }
            for p in selectors.ticket_pauses(ticket)
        ],
    }


@router.get(
    "/sla/breaching-soon",
    response={200: TicketList, **ERRORS},
    summary="Tickets in your scope about to breach",
)
def breaching_soon(
    request,
    within_minutes: int = Query(240, ge=0, le=7 * 24 * 60),
    limit: int = Query(25, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
):
    """Open tickets whose next due time is past or within `within_minutes`, soonest first.
    Managers only (store, regional and CS managers, coordinators, administrators)."""
    if not can(request.auth, "sla.breaching"):
        raise Forbidden(_("Only managers see this list."))
    tickets = selectors.breaching_soon(request.auth, within=timedelta(minutes=within_minutes))
    page = ticket_selectors.with_customer_disclosure(
        request.auth, ticket_selectors.for_listing(tickets)[offset : offset + limit]
    )
    count, capped = ticket_selectors.capped_count(tickets)
    return {
        "items": [ticket_out(t, reader=request.auth) for t in page],
        "count": count,
        "count_capped": capped,
        "limit": limit,
        "offset": offset,
    }


@router.get(
    "/sla/due",
    response={200: DueOut, **ERRORS},
    summary="When H business hours after START fall due",
)
def due(
    request,
    start: datetime,
    calendar: str = Query(..., max_length=40),
    hours: float = Query(..., ge=0, le=24 * 366),
):
    """The due time `hours` business hours after `start` on that calendar (a naive `start` is
    read in the calendar's time zone), so a manager can check a promise before making it."""
    cal = _calendar(calendar)
    # A year beyond 2199 (say 9999) would run past the last date Python can hold.
    if not 1970 <= start.year <= 2199:
        raise InvalidInput(
            _("%(field)s: must be between the years %(first)s and %(last)s."),
            field="start",
            first=1970,
            last=2199,
        )
    if timezone.is_naive(start):
        start = start.replace(tzinfo=cal.zone)
    result = add_business_time(start, timedelta(hours=hours), cal)
    return {"calendar": cal.name, "start": start, "hours": hours, "due": result.isoformat()}


def _calendar(name: str):
    known = selectors.calendar_names()
    if name not in known:
        raise InvalidInput(
            _("%(field)s: no business calendar called “%(value)s” (known: %(allowed)s)."),
            field="calendar",
            value=name,
            allowed=", ".join(sorted(known)),
        )
    return selectors.get_calendar(name)
