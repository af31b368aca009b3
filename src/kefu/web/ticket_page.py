"""The desk's public API for the apps that add to it: the ticket page (its context, a panel,
an action run from it) and the links in the top bar.

Apps above ``tickets`` (sla, aftersales, quality, feedback …) import only this module from
``kefu.web``; it imports nothing of theirs. Panels and links register from an app's
``AppConfig.ready()`` and show in registration order (INSTALLED_APPS order).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu import rows
from kefu.customers import selectors as customer_selectors
from kefu.errors import KefuError, NotFound
from kefu.org.models import Staff
from kefu.org.roles import ROLE_TIER, Role, Tier
from kefu.org.selectors import can, staff_of
from kefu.tickets import selectors, workflow
from kefu.tickets.models import Priority, Status, TicketType

from .addresses import address


@dataclass(frozen=True)
class Panel:
    """A section of the ticket page: ``template`` rendered with ``panel`` = context(request, ticket)."""

    template: str
    context: Callable
    title: str = ""  # the label of its collapsible section on the page


@dataclass(frozen=True)
class NavLink:
    """A link in the desk's top bar, shown to users with ``capability`` (None: everyone)."""

    label: str
    url_name: str
    capability: str | None = None
    menu: str | None = None  # a key of MENUS: shown under that menu, not in the bar itself


# The top bar's menus: the links an app registers with ``menu=`` gather under one label, so the
# bar stays one short row for the roles with the most links.
MENUS = {
    "aftersales": gettext_lazy("After-sales"),
    "feedback": gettext_lazy("Customer feedback"),
    "registers": gettext_lazy("Store registers"),
}

PANELS: list[Panel] = []
NAV: list[NavLink] = []

# The ticket page's own actions: the template's `can.reply` … → the right behind each.
TICKET_RIGHTS = {
    "reply": "tickets.reply",
    "note": "tickets.note",
    "status": "tickets.status",
    "assign": "tickets.assign",
    "assign_self": "tickets.assign_self",
    "escalate": "tickets.escalate",
    "attach": "tickets.attach",
    "macros": "knowledge.macros",
}


def register_panel(template: str, context: Callable, title="") -> None:
    """Add a panel to the ticket page (once per template, however often ready() runs). The
    page shows it as a collapsible section labelled ``title`` that remembers its state."""
    if all(p.template != template for p in PANELS):
        PANELS.append(Panel(template, context, title))


def register_nav(
    label, url_name: str, capability: str | None = None, *, menu: str | None = None
) -> None:
    """Add a link to the desk's top bar (once per URL name), or to one of its MENUS."""
    if menu is not None and menu not in MENUS:
        raise ValueError(f"unknown top-bar menu {menu!r}")
    if all(link.url_name != url_name for link in NAV):
        NAV.append(NavLink(label, url_name, capability, menu))


def followable_links(user) -> list[tuple[NavLink, str]]:
    """The top-bar links (menus included, in order) the user may follow, with their URLs
    (kept per process by kefu.web.addresses: every desk page draws the bar)."""
    out = []
    for link in NAV:
        if link.capability and not can(user, link.capability):
            continue
        try:
            out.append((link, address(link.url_name)))
        except NoReverseMatch:
            continue
    return out


def nav_links(user) -> list[tuple[str, str]]:
    """(label, url) of every top-bar link the user may follow, menus included, in order."""
    return [(link.label, url) for link, url in followable_links(user)]


SHORT_BAR = 6


def nav_layout(followable: list[tuple[NavLink, str]]) -> tuple[list, list]:
    """The top bar as the user sees it: (links in the bar, [(menu label, links)]). Menus only
    where the bar would be crowded (more than SHORT_BAR links); a menu holding a single link the
    user may follow stands in the bar as that link."""
    if len(followable) <= SHORT_BAR:
        return [(link.label, url) for link, url in followable], []
    bar, menus = [], {}
    for link, url in followable:
        if link.menu:
            menus.setdefault(link.menu, []).append((link.label, url))
        else:
            bar.append((link.label, url))
    grouped = []
    for key, links in menus.items():
        if len(links) == 1:
            bar.extend(links)
        else:
            grouped.append((MENUS[key], links))
    return bar, grouped


def staff_required(view):
    """Signed-in staff only; NotFound (missing or out of scope) becomes a plain 404."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('desk:login')}?next={request.get_full_path()}")
        if staff_of(request.user) is None:
            return HttpResponseForbidden(_("Your account has no staff role. Ask an administrator."))
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404(_("Not found, or outside your scope.")) from None

    return wrapper


def _assignable():
    # Outlet staff see no tickets, so none can be given to them.
    return (
        Staff.objects.select_related("user", "store")
        .filter(user__is_active=True)
        .exclude(role__in=[Role.OUTLET_MANAGER, Role.OUTLET_TECHNICIAN])
        .order_by("role", "display_name")
    )


@rows.prepared
def _everyone():
    return _assignable()[:200]


@rows.prepared
def _store_and_above(store_id: int):
    return _assignable().filter(Q(store_id=store_id) | ~Q(role__in=list(ROLE_TIER)))[:200]


@rows.prepared
def _region_and_above(region_id: int):
    return _assignable().filter(
        Q(store__region_id=region_id) | Q(region_id=region_id) | ~Q(role__in=list(ROLE_TIER))
    )[:200]


def colleagues_for(staff) -> list[Staff]:
    """Whom ``staff`` may give a ticket to (the ticket page's assign form, the queue's bulk
    bar): a store's people and everyone above the stores, a region's and everyone above, or
    everyone for the chain's staff. Compiled once per process for each shape."""
    if staff.scope == "store":
        return _store_and_above(staff.store_id)
    if staff.scope == "region":
        return _region_and_above(staff.region_id)
    return _everyone()


def ticket_context(request, ticket, *, panels_inline=False, **extra) -> dict:
    """Everything the ticket page (desk/ticket.html) renders. The registered panels are loaded
    by the page after it arrives, in one request (``panels_context``), so the ticket, its
    timeline and the reply box do not wait for them; ``panels_inline`` renders them into the
    page instead (a refused action: its panel shows what the agent posted)."""
    # What of the customer this user may see: the name on file only where the customer is on
    # file for them, full contact data only with customers.contact (audited). Whether the
    # customer is on file here is asked once and kept on the customer (discloses() reads it
    # back), so the panels that ask again (after-sales) cost no query.
    ticket.customer.on_file_here = customer_selectors.discloses(request.user, ticket.customer)
    contact = customer_selectors.contact_for(
        request.user, ticket.customer, context=f"desk:ticket:{ticket.id}"
    )
    return {
        "ticket": ticket,
        "contact": contact,
        **timeline_context(ticket),
        "history": selectors.customer_history(
            request.user, ticket.customer_id, exclude_id=ticket.id
        ),
        "purchases": customer_selectors.purchases_of(request.user, ticket.customer)[:10],
        "can_see_customer": can(request.user, "customers.view"),
        "next_statuses": [(s, Status(s).label) for s in workflow.next_statuses(ticket.status)],
        "colleagues": (
            colleagues_for(staff_of(request.user)) if can(request.user, "tickets.assign") else ()
        ),
        "can": {name: can(request.user, right) for name, right in TICKET_RIGHTS.items()},
        "at_top": ticket.escalation_tier == Tier.CS_DEPARTMENT,
        "panels": panels_context(request, ticket)["panels"] if panels_inline else None,
        "lazy_panels": PANELS,
        "current_status": (ticket.status, Status(ticket.status).label),
        "priorities": Priority.choices,
        "types": TicketType.choices,
        **extra,
    }


def timeline_context(ticket, *, before: int | None = None) -> dict:
    """The newest events of the timeline (desk/_timeline.html), or those before an event."""
    events, earlier = selectors.timeline_page(ticket, before=before)
    return {"ticket": ticket, "events": events, "earlier": earlier}


def panels_context(request, ticket) -> dict:
    """The ticket page's panels on their own (desk/_panels.html), as the page loads them."""
    return {"ticket": ticket, "panels": [(p, p.context(request, ticket)) for p in PANELS]}


def posted_version(request) -> int | None:
    """The ticket version the form was drawn from (a write against an older one is stale)."""
    version = request.POST.get("version")
    return int(version) if version and version.isdigit() else None


def refuse_on_ticket_page(request, pk, exc: KefuError, **extra):
    """The ticket page again, with the refusal's message and its 4xx status; what the user
    typed into the reply box stays there."""
    ticket = selectors.get_ticket(request.user, pk)
    context = ticket_context(
        request,
        ticket,
        error=exc.text(),
        error_code=exc.code,
        # A refusal that names another ticket (an order already open on it) links to it.
        error_ticket_id=exc.extra.get("ticket_id"),
        draft=request.POST.get("body", ""),
        panels_inline=True,
        **extra,
    )
    return render(request, "desk/ticket.html", context, status=exc.status)


def run_action(request, pk, action: Callable, *, success: str | None = None):
    """Run one action on ticket ``pk`` from a form on its page: ``action(ticket)`` calls a
    service. A refusal re-renders the page with the message; success redirects back to it."""
    ticket = selectors.get_ticket(request.user, pk)
    try:
        action(ticket)
    except KefuError as exc:
        return refuse_on_ticket_page(request, pk, exc)
    if success:
        messages.success(request, success)
    return redirect("desk:ticket", pk=pk)
