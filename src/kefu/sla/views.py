"""Desk pages for SLA: the clocks panel on the ticket page, its solution-timetable form, and the
managers' "breaching soon" list. Views parse, call a service or selector, and render."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.errors import InvalidInput
from kefu.org.selectors import can
from kefu.tickets.selectors import for_listing
from kefu.web.ticket_page import posted_version, run_action, staff_required

from . import selectors, services
from .models import ClockState, Target

PANEL_TEMPLATE = "sla/_panel.html"
WINDOWS = {"1": 1, "4": 4, "8": 8, "24": 24}  # hours a manager may look ahead


def panel(request, ticket) -> dict:
    """Context of the SLA panel: each clock (with its state and countdown), the pauses, the
    breaches, and whether the viewer may set the solution timetable."""
    policy = selectors.policy_by_code(ticket.sla_policy)
    now = timezone.now()
    clocks = selectors.ticket_clocks(ticket)
    calendars = selectors.calendar_labels() if clocks else {}
    for c in clocks:
        c.calendar_label = calendars.get(c.calendar, c.calendar)
        c.label = Target(c.target).label
        c.overdue = c.state == ClockState.RUNNING and c.due_at <= now
        c.met_late = c.state == ClockState.MET and c.breached_at is not None
    return {
        "policy": policy,
        "clocks": clocks,
        "pauses": selectors.ticket_pauses(ticket),
        "now": now,
        "breached": [Target(t).label for t in ticket.sla_breached or [] if t in Target.values],
        "can_promise": can(request.user, "tickets.reply") and ticket.is_open,
        "needs_timetable": bool(
            policy and policy.requires_solution_timetable and not ticket.solution_promised_at
        ),
        "promise_min": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
    }


def _parse_local(value: str) -> datetime:
    """A desk ``datetime-local`` value, read in the site's time zone."""
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s: give a date and time like 2026-10-09 18:00."), field="promised_at"
        ) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@require_POST
@staff_required
def set_timetable(request, pk):
    def action(ticket):
        services.set_solution_timetable(
            actor=request.user,
            ticket=ticket,
            promised_at=_parse_local(request.POST.get("promised_at", "")),
            note=request.POST.get("note", ""),
            expected_version=posted_version(request),
        )
        messages.success(request, _("Solution timetable set."))

    return run_action(request, pk, action)


@staff_required
def breaching_soon(request):
    if not can(request.user, "sla.breaching"):
        return HttpResponseForbidden(_("Only managers see this list."))
    hours = WINDOWS.get(request.GET.get("within", "4"), 4)
    overdue, soon = selectors.overdue_and_due_soon(request.user, within=timedelta(hours=hours))
    return render(
        request,
        "sla/breaching.html",
        {
            "overdue": Paginator(for_listing(overdue), 50).get_page(
                request.GET.get("overdue_page")
            ),
            "page": Paginator(for_listing(soon), 50).get_page(request.GET.get("page")),
            "within": str(hours),
            "windows": list(WINDOWS),
            "query": f"within={hours}",
        },
    )
