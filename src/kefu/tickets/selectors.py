"""Reads of tickets: queues, search and the ticket page, always within the reader's scope."""

import re

from django.db.models import F, Prefetch, QuerySet

from kefu import search
from kefu.customers.names import normalise_mobile
from kefu.errors import NotFound
from kefu.org.selectors import in_scope

from .models import Ticket, TicketEvent

NUMBER = re.compile(r"^KF-\d{8}-\d{6}$", re.IGNORECASE)
SORTS = {
    "newest": ("-id",),
    "oldest": ("id",),
    "priority": ("-priority_rank", "-id"),
    # Next SLA due time first (kefu.sla keeps sla_due); tickets owing nothing, or paused, last.
    "due": (F("sla_due").asc(nulls_last=True), "id"),
}
COUNT_CAP = 10_000


def tickets_visible_to(user) -> QuerySet:
    return in_scope(Ticket.objects.all(), user)


def ticket_queue(
    user,
    *,
    status=(),
    type=None,
    store=None,
    assignee=None,
    escalation_tier=None,
    q=None,
    customer_id=None,
    sort="newest",
) -> QuerySet:
    """The tickets a user's queue shows, filtered and sorted in the database."""
    tickets = tickets_visible_to(user)
    if status:
        tickets = tickets.filter(status__in=list(status))
    if type:
        tickets = tickets.filter(type=type)
    if store:
        tickets = tickets.filter(store__code=store)
    if assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee:
        tickets = tickets.filter(assignee__username=assignee)
    if escalation_tier:
        tickets = tickets.filter(escalation_tier=escalation_tier)
    if customer_id:
        tickets = tickets.filter(customer_id=customer_id)
    if q and q.strip():
        q = q.strip()
        if NUMBER.match(q):
            tickets = tickets.filter(number=q.upper())
        else:
            mobile = normalise_mobile(q)
            if mobile:
                tickets = tickets.filter(customer__phone=mobile)
            else:
                tickets = search.fts_filter(tickets, q, fts_table="tickets_ticket_fts")
    return tickets.order_by(*SORTS.get(sort, SORTS["newest"]))


def for_listing(tickets: QuerySet) -> QuerySet:
    return tickets.select_related("store", "assignee__staff", "customer").prefetch_related("tags")


def capped_count(tickets: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counting at most `cap` (a count over millions is a scan nobody needs)."""
    n = tickets.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def get_ticket(user, ticket_id, *, with_timeline: bool = False) -> Ticket:
    """The ticket, or NotFound when it does not exist or lies outside the user's scope."""
    tickets = tickets_visible_to(user).select_related(
        "store__region", "assignee__staff", "customer", "purchase__category"
    )
    tickets = tickets.prefetch_related("tags")
    if with_timeline:
        tickets = tickets.prefetch_related(
            Prefetch(
                "events",
                queryset=TicketEvent.objects.select_related("actor__staff").prefetch_related(
                    "attachments"
                ),
            ),
        )
    ticket = tickets.filter(pk=ticket_id).first() if str(ticket_id).isdigit() else None
    if ticket is None:
        raise NotFound()
    return ticket


def get_by_tracking_token(token: str) -> Ticket:
    ticket = (
        Ticket.objects.select_related("store", "customer")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=TicketEvent.objects.filter(public=True)
                .select_related("actor__staff")
                .prefetch_related("attachments"),
            )
        )
        .filter(tracking_token=token)
        .first()
    )
    if ticket is None:
        raise NotFound()
    return ticket


def customer_history(user, customer_id, *, exclude_id=None, limit=10) -> QuerySet:
    tickets = (
        tickets_visible_to(user)
        .filter(customer_id=customer_id)
        .select_related("store")
        .order_by("-id")
    )
    if exclude_id:
        tickets = tickets.exclude(pk=exclude_id)
    return tickets[:limit]
