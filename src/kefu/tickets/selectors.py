"""Reads of tickets: queues, search and the ticket page, always within the reader's scope."""

import re

from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value

from kefu import search
from kefu.customers.models import Customer
from kefu.customers.names import normalise_mobile
from kefu.customers.selectors import on_file_condition, shown
from kefu.errors import NotFound
from kefu.org.selectors import scope_filter, staff_of

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


def _visits():
    # Field visits point at tickets from the aftersales app above; reach them through the
    # Ticket.field_visits relation rather than importing aftersales.
    return Ticket._meta.get_field("field_visits").related_model


def assigned_jobs(user, staff) -> Q:
    """A technician's jobs: tickets given to them, or with a field visit of theirs."""
    visits = _visits().objects.filter(ticket=OuterRef("pk"), technician_id=staff.pk)
    return Q(assignee_id=user.pk) | Q(Exists(visits))


def tickets_visible_to(user) -> QuerySet:
    """The store's, the region's or every ticket; a technician's service area and jobs."""
    condition = scope_filter(user)
    if condition is None:
        return Ticket.objects.none()
    staff = staff_of(user)
    if staff.scope == "area":
        condition = condition | assigned_jobs(user, staff)
    return Ticket.objects.filter(condition)


# A word with at most this many matches (in the reader's scope and filters) is looked up first
# and its tickets then read by id; a commoner word is read in queue order straight away.
RARE_MATCHES = 2000


def _search(tickets: QuerySet, q: str) -> tuple[QuerySet, int | None]:
    """``tickets`` restricted to those whose text holds every word of ``q``, and (PostgreSQL)
    how many there are, counted up to COUNT_CAP + 1.

    On PostgreSQL a full-text match under ``ORDER BY … LIMIT`` is the classic planner trap,
    both ways round. A rare or absent word: the planner walks the primary key backwards testing
    every row for a first page that never fills (most of the table). A common one whose
    frequency it underestimates (a thousand times, for 不 & 制冷): it fetches and sorts every
    match. So the matches are counted first, through the GIN index (the count the page shows
    anyway): at most RARE_MATCHES, and the page is read by their ids; more, and the page is
    read by walking the queue's index, testing the stored vector of each row (dense matches
    fill a page soon). Same rows, same order as the plain filter. SQLite's FTS5 subquery needs
    none of it."""
    found = search.fts_filter(tickets, q, fts_table="tickets_ticket_fts")
    if connection.vendor != "postgresql":
        return found, None
    n = found.order_by()[: COUNT_CAP + 1].count()
    if n <= RARE_MATCHES:
        ids = list(found.order_by().values_list("id", flat=True)[: RARE_MATCHES + 1]) if n else []
        return tickets.filter(id__in=ids), n
    return search.fts_filter(tickets, q, fts_table="tickets_ticket_fts", walk=True), n


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
    known = None
    if q and q.strip():
        q = q.strip()
        if NUMBER.match(q):
            tickets = tickets.filter(number=q.upper())
        else:
            mobile = normalise_mobile(q)
            if mobile:
                tickets = tickets.filter(customer__phone=mobile)
            else:
                tickets, known = _search(tickets, q)
    tickets = tickets.order_by(*SORTS.get(sort, SORTS["newest"]))
    # The search counted its matches already: capped_count answers from that.
    tickets.known_count = known
    return tickets


def with_customer_disclosure(user, tickets: QuerySet) -> QuerySet:
    """Tickets annotated with ``customer_on_file``: whether the customer's details on file may
    be shown to ``user`` (kefu.customers.selectors.discloses), in the same query as the list."""
    condition = on_file_condition(user)
    if condition is None or condition:
        inner = Customer.objects.filter(pk=OuterRef("customer_id"))
        value = (
            Exists(inner.filter(condition))
            if condition is not None
            else Value(False, output_field=BooleanField())
        )
    else:
        value = Value(True, output_field=BooleanField())
    return tickets.annotate(customer_on_file=value)


def customer_shown(user, ticket) -> dict:
    """The ticket's customer as this user may see them (name on file or a neutral one)."""
    known = getattr(ticket, "customer_on_file", None)
    if known is not None:
        ticket.customer.on_file_here = known
    return shown(user, ticket.customer)


def for_listing(tickets: QuerySet) -> QuerySet:
    return tickets.select_related("store", "assignee__staff", "customer").prefetch_related("tags")


def capped_count(tickets: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counting at most `cap` (a count over millions is a scan nobody needs)."""
    known = getattr(tickets, "known_count", None)
    n = known if known is not None and cap == COUNT_CAP else tickets.order_by()[: cap + 1].count()
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
