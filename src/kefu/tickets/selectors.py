"""Reads of tickets: queues, search and the ticket page, always within the reader's scope."""

import datetime
import re

from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.sql.where import ExtraWhere
from django.utils import timezone

from kefu import rows, search
from kefu.customers.models import Customer
from kefu.customers.names import normalise_mobile
from kefu.customers.selectors import (
    on_file_condition,
    purchases_by_serial,
    search_customers,
    shown,
    with_disclosure,
)
from kefu.errors import NotFound
from kefu.org.selectors import scope_filter, staff_of

from .models import SavedView, Status, Ticket, TicketEvent

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


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


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
# A keyword search counts its matches up to this many ("2,000+"), on both databases: on
# PostgreSQL every match counted is a heap row visited.
SEARCH_COUNT_CAP = 2000


def _search(tickets: QuerySet, q: str) -> tuple[QuerySet, int | None, int]:
    """``tickets`` restricted to those whose text holds every word of ``q``; (PostgreSQL) how
    many there are, counted up to ``counted`` + 1; and ``counted``.

    On PostgreSQL a full-text match under ``ORDER BY … LIMIT`` is the classic planner trap,
    both ways round. A rare or absent word: the planner walks the primary key backwards testing
    every row for a first page that never fills (most of the table). A common one whose
    frequency it underestimates (a thousand times, for 不 & 制冷): it fetches and sorts every
    match. So the ids of the matches are read first, through the GIN index, up to one more than
    both RARE_MATCHES and SEARCH_COUNT_CAP (one pass over the heap gives the count the page
    shows and the way to read it): at most RARE_MATCHES, and the page is read by their ids;
    more, and the page is read by walking the queue's index, testing the stored vector of each
    row (dense matches fill a page soon). Same rows, same order as the plain filter. SQLite's
    FTS5 subquery needs none of it.

    The GIN index holds each ticket's store and region beside its words (migration 0010), and
    a reader's scope compares them as bigints (kefu.org.selectors.scope_filter): a store or
    regional manager's lookup is one index scan, not the word's matches ANDed with a bitmap of
    every ticket in the store or region (166,000 rows at 1,000,000 tickets)."""
    found = search.fts_filter(tickets, q, fts_table="tickets_ticket_fts")
    counted = max(RARE_MATCHES, SEARCH_COUNT_CAP)
    if connection.vendor != "postgresql":
        return found, None, counted
    ids = list(found.order_by().values_list("id", flat=True)[: counted + 1])
    n = len(ids)
    if n <= RARE_MATCHES:
        return tickets.filter(id__in=ids), n, counted
    return search.fts_filter(tickets, q, fts_table="tickets_ticket_fts", walk=True), n, counted


def _narrowed(
    tickets: QuerySet,
    *,
    status,
    type,
    store,
    assignee,
    escalation_tier,
    customer_id,
    channel,
    priority,
    region,
    opened_from,
    opened_to,
) -> QuerySet:
    if channel:
        tickets = tickets.filter(channel=channel)
    if priority:
        tickets = tickets.filter(priority=priority)
    if region:
        tickets = tickets.filter(region__code=region)
    if opened_from:
        tickets = tickets.filter(created_at__gte=_day_start(opened_from))
    if opened_to:
        tickets = tickets.filter(created_at__lt=_day_start(opened_to + datetime.timedelta(days=1)))
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
    return tickets


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
    channel=None,
    priority=None,
    region=None,
    opened_from=None,
    opened_to=None,
) -> QuerySet:
    """The tickets a user's queue shows, filtered and sorted in the database. ``opened_from`` /
    ``opened_to`` are local dates (inclusive): the reports' drill-down to the tickets behind a
    number."""
    tickets = _narrowed(
        tickets_visible_to(user),
        status=status,
        type=type,
        store=store,
        assignee=assignee,
        escalation_tier=escalation_tier,
        customer_id=customer_id,
        channel=channel,
        priority=priority,
        region=region,
        opened_from=opened_from,
        opened_to=opened_to,
    )
    known, counted, cap = None, 0, COUNT_CAP
    if q and q.strip():
        q = q.strip()
        if NUMBER.match(q):
            tickets = tickets.filter(number=q.upper())
        else:
            mobile = normalise_mobile(q)
            if mobile:
                tickets = tickets.filter(customer__phone=mobile)
            else:
                tickets, known, counted = _search(tickets, q)
                cap = SEARCH_COUNT_CAP
    tickets = tickets.order_by(*SORTS.get(sort, SORTS["newest"]))
    # The search counted its matches already (up to counted + 1): capped_count answers from
    # that, up to the search's own cap.
    tickets.known_count, tickets.known_counted, tickets.count_cap = known, counted, cap
    return tickets


def with_customer_disclosure(user, tickets) -> list:
    """The tickets of one page (a sliced queryset or a list), each with ``customer_on_file``:
    whether the customer's details on file may be shown to ``user``
    (kefu.customers.selectors.discloses). One query for the page, over its customers only.

    Not an annotation of the list's own query: for a store or regional manager the condition
    (home store in scope, or a purchase there) is an OR around an EXISTS, which PostgreSQL
    evaluates at the scan under the page's LIMIT and so plans for every row the scan might
    return: a hashed subplan over all the region's customers and purchases (~100 ms at 100k
    tickets, ~1.5 s at 1M). Asked for the page's few customers by primary key, it is a handful
    of index probes."""
    page = list(tickets)
    condition = on_file_condition(user)
    if condition is None:
        on_file = set()
    elif not condition:
        on_file = None  # everyone's
    else:
        ids = {t.customer_id for t in page}
        on_file = set(
            Customer.objects.filter(pk__in=ids)
            .filter(condition)
            .order_by()
            .values_list("pk", flat=True)
        )
    for t in page:
        t.customer_on_file = True if on_file is None else t.customer_id in on_file
    return page


def customer_shown(user, ticket) -> dict:
    """The ticket's customer as this user may see them (name on file or a neutral one)."""
    known = getattr(ticket, "customer_on_file", None)
    if known is not None:
        ticket.customer.on_file_here = known
    return shown(user, ticket.customer)


def for_listing(tickets: QuerySet, *, tags: bool = True) -> QuerySet:
    """A list's rows with what a row shows; ``tags=False`` for a list that does not show them
    (the desk's queue: one query fewer per page)."""
    rows = tickets.select_related("store", "assignee__staff", "customer")
    return rows.prefetch_related("tags") if tags else rows


class Listing:
    """A ticket list to be sliced into pages (``listing[offset:offset + limit]``, as Django's
    Paginator does): the page's rows with what a row shows, in one statement that picks the
    page's ids on the ticket table alone and only then joins the store, the assignee and the
    customer for those few rows.

    Asked in one piece, SQLite joins those tables for every ticket the filters match and sorts
    them all before it keeps 25: the chain's open queue at 100,000 tickets read and joined
    ~6,400 rows, 14 ms, of which the page needed 25 (1 ms this way). PostgreSQL walks its
    indexes in order and stops at the page already (the subquery form measured 0.3–0.6 ms
    slower there), so it gets the plain slice; so does a list with raw SQL in it (a keyword
    search's full-text match names the ticket table itself) or ordered by an annotation."""

    def __init__(self, tickets: QuerySet, *, tags: bool = True):
        self.tickets, self.tags = tickets, tags

    def __getitem__(self, page: slice) -> list:
        tickets = self.tickets
        query = tickets.query
        plain = connection.vendor != "sqlite" or query.annotations or query.extra
        if plain or not query.order_by or _raw(query.where):
            return list(for_listing(tickets, tags=self.tags)[page])
        ids = tickets.values("pk")[page]
        rows = Ticket.objects.filter(pk__in=ids).order_by(*query.order_by)
        return list(for_listing(rows, tags=self.tags))


def _raw(where) -> bool:
    """Whether a query's WHERE holds raw SQL (QuerySet.extra), which names tables as written."""
    return isinstance(where, ExtraWhere) or any(_raw(c) for c in getattr(where, "children", ()))


def capped_count(tickets: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """How many rows, counting at most `cap` (a count over millions is a scan nobody needs);
    by default the queue's own cap (COUNT_CAP, SEARCH_COUNT_CAP for a keyword search)."""
    if cap is None:
        cap = getattr(tickets, "count_cap", COUNT_CAP)
    known = getattr(tickets, "known_count", None)
    if known is not None and cap <= getattr(tickets, "known_counted", 0):
        n = known
    else:
        n = tickets.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def _by_id(tickets: QuerySet, ticket_id) -> QuerySet:
    """The ticket ``ticket_id`` among ``tickets``; none for an id that is not a number (an
    address or form value), without asking the database."""
    return tickets.filter(pk=ticket_id) if str(ticket_id).isdigit() else tickets.none()


# What a ticket's pages show of its relations.
_RELATIONS = ("store__region", "assignee__staff", "customer", "purchase__category")


def _with_relations(ticket_id):
    return Ticket.objects.select_related(*_RELATIONS).filter(pk=ticket_id)


@rows.prepared
def _ticket_with_tags(ticket_id: int):
    return _with_relations(ticket_id).prefetch_related("tags")


# The ticket with what its pages show of it, compiled once per process.
_ticket = rows.prepared(_with_relations)


def get_ticket(user, ticket_id, *, with_timeline: bool = False, with_tags: bool = True) -> Ticket:
    """The ticket, or NotFound when it does not exist or lies outside the user's scope;
    ``with_tags=False`` for a reader that shows no tags (the ticket page's panels: one
    statement fewer). Whether the user may see it is one short statement; the ticket with its
    store, assignee, customer and purchase (~100 columns, the costliest SQL of a page to
    compile) is read by a statement compiled once per process."""
    if with_timeline:
        tickets = (
            tickets_visible_to(user)
            .select_related(*_RELATIONS)
            .prefetch_related(
                Prefetch(
                    "events",
                    queryset=TicketEvent.objects.select_related("actor__staff").prefetch_related(
                        "attachments"
                    ),
                ),
            )
        )
        if with_tags:
            tickets = tickets.prefetch_related("tags")
        ticket = _by_id(tickets, ticket_id).first()
    elif _by_id(tickets_visible_to(user), ticket_id).exists():
        ticket = (_ticket_with_tags if with_tags else _ticket).first(int(ticket_id))
    else:
        ticket = None
    if ticket is None:
        raise NotFound()
    return ticket


def ticket_version(user, ticket_id) -> int:
    """The ticket's version, or NotFound as ``get_ticket`` (the desk's presence beat, which every
    open ticket page sends every few seconds, needs no more: one statement, no joins)."""
    version = _by_id(tickets_visible_to(user), ticket_id).values_list("version", flat=True).first()
    if version is None:
        raise NotFound()
    return version


TIMELINE_PAGE = 50


def timeline_page(ticket: Ticket, *, before: int | None = None, size: int = TIMELINE_PAGE):
    """The ticket's events newest first, ``size`` of them (those older than event ``before``
    when given), and how many older ones there are beyond them. The desk's ticket page shows
    the newest and loads the rest on request: a long conversation (a WeChat thread, a hotline
    customer calling every day) cost ~0.4 ms of rendering per event on every page view."""
    events = (
        ticket.events.select_related("actor__staff").prefetch_related("attachments").order_by("-id")
    )
    page = None
    if before is not None:
        events = events.filter(id__lt=before)
    elif size == TIMELINE_PAGE:  # every ticket page's read: compiled once per process
        page = _events_of(_newest_events, ticket)
    return _newest(events, size, page)


def _events_of(read: rows.Prepared, ticket: Ticket) -> list:
    """``read(ticket.id)``, each event knowing its ticket as ``ticket.events`` would give it."""
    page = read(ticket.id)
    for event in page:
        TicketEvent.ticket.field.set_cached_value(event, ticket)
    return page


@rows.prepared
def _newest_events(ticket_id: int):
    return (
        TicketEvent.objects.filter(ticket_id=ticket_id)
        .select_related("actor__staff")
        .prefetch_related("attachments")
        .order_by("-id")[: TIMELINE_PAGE + 1]
    )


def _newest(events: QuerySet, size: int, page: list | None = None) -> tuple[list, int]:
    """The first ``size`` of ``events`` (ordered newest first; ``page``: those already read)
    and how many older remain."""
    page = list(events[: size + 1]) if page is None else page
    if len(page) <= size:
        return page, 0
    page = page[:size]
    return page, events.filter(id__lt=page[-1].id).count()


@rows.prepared
def _tracked(token: str):
    return Ticket.objects.select_related("store", "customer").filter(tracking_token=token)[:1]


def get_by_tracking_token(token: str) -> Ticket:
    """The ticket behind a customer's private tracking link (its events: ``public_timeline``)."""
    ticket = _tracked.first(token) if isinstance(token, str) else None
    if ticket is None:
        raise NotFound()
    return ticket


# The customer's tracking page shows this many of the newest public events, and the rest on
# request: a long WeChat conversation would otherwise be read and drawn whole on every visit.
PORTAL_EVENTS = 100


def public_timeline(ticket: Ticket, *, limit: int | None = PORTAL_EVENTS) -> tuple[list, int]:
    """What the customer may see of the timeline, oldest first: the newest ``limit`` public
    events (all of them with ``limit=None``) and how many older ones are left out."""
    events = (
        ticket.events.filter(public=True)
        .select_related("actor__staff")
        .prefetch_related("attachments")
        .order_by("-id")
    )
    if limit is None:
        return list(events)[::-1], 0
    page = None
    if limit == PORTAL_EVENTS:  # every visit's read: compiled once per process
        page = _events_of(_newest_public, ticket)
    page, older = _newest(events, limit, page)
    return page[::-1], older


@rows.prepared
def _newest_public(ticket_id: int):
    return (
        TicketEvent.objects.filter(ticket_id=ticket_id, public=True)
        .select_related("actor__staff")
        .prefetch_related("attachments")
        .order_by("-id")[: PORTAL_EVENTS + 1]
    )


def promised_timetable(ticket: Ticket) -> TicketEvent | None:
    """The solution timetable last told to the customer (承诺解决时间 and its note), if the
    ticket still carries a promise."""
    if ticket.solution_promised_at is None:
        return None
    return ticket.events.filter(public=True, kind="solution_timetable").order_by("-id").first()


def customer_history(
    user, customer_id, *, exclude_id=None, limit=10, stores: bool = False
) -> QuerySet:
    """A customer's newest tickets the user sees. Read along the customer's index with no join
    in the statement, so its plan never rests on how many tickets the planner believes the
    customer has: joined to the stores, a customer who had gained 7,266 tickets since the last
    ANALYZE (statistics said 4) had every one fetched and sorted (15 ms on each view of their
    ticket page). ``stores``: each ticket's store, in a second query (the customer page)."""
    tickets = tickets_visible_to(user).filter(customer_id=customer_id).order_by("-id")
    if exclude_id:
        tickets = tickets.exclude(pk=exclude_id)
    if stores:
        tickets = tickets.prefetch_related("store")
    return tickets[:limit]


# ------------------------------------------------------------------ saved queue views
# The queue filters a saved view keeps; everything else in the query string is dropped.
VIEW_FILTERS = ("view", "status", "type", "store", "tier", "assignee", "q", "sort")


def queue_filters(params) -> dict:
    """The queue's filters out of a query string (QueryDict or dict): status is a list."""
    out = {}
    for key in VIEW_FILTERS:
        if key == "status":
            values = params.getlist(key) if hasattr(params, "getlist") else params.get(key, [])
            values = [values] if isinstance(values, str) else list(values or [])
            values = [v for v in values if v in Status.values]
            if values:
                out[key] = values
        else:
            value = str(params.get(key) or "").strip()[:100]
            if value:
                out[key] = value
    return out


def saved_views_for(user) -> QuerySet:
    """The user's own views and those shared where the user works (store, region, chain)."""
    staff = staff_of(user)
    if staff is None:
        return SavedView.objects.none()
    region_id = staff.region_id or (staff.store.region_id if staff.store_id else None)
    where_shared = Q(store__isnull=True, region__isnull=True)
    if staff.store_id:
        where_shared |= Q(store_id=staff.store_id)
    if region_id:
        where_shared |= Q(store__isnull=True, region_id=region_id)
    return SavedView.objects.filter(Q(owner=user) | (Q(shared=True) & where_shared)).order_by(
        "name", "id"
    )


def get_own_view(user, view_id) -> SavedView:
    """One of the user's own views (only the owner renames or deletes); NotFound otherwise."""
    view = (
        SavedView.objects.filter(pk=view_id, owner=user).first() if str(view_id).isdigit() else None
    )
    if view is None:
        raise NotFound()
    return view


# ------------------------------------------------------------------ the top bar's search
_NUMBER_LOOSE = re.compile(r"^(?:KF)?[\s-]*(\d{8})[\s-]*(\d{6})$", re.IGNORECASE)


def ticket_number(q: str) -> str | None:
    """A ticket number however it was typed (kf-20261203-000012, 20261203000012 …), or None."""
    match = _NUMBER_LOOSE.match((q or "").strip())
    return f"KF-{match[1]}-{match[2]}" if match else None


def find_everything(user, q: str, *, limit: int = 20) -> dict:
    """The top bar's search, grouped: tickets (by number in every status, by the customer's
    mobile, by words), customers (name, pinyin or initials, mobile, its last four digits) and
    purchases (serial number). Each group only holds what the reader may see."""
    q = (q or "").strip()[:100]
    if not q:
        return {"tickets": [], "customers": [], "purchases": [], "ticket_count": 0, "number": None}
    number = ticket_number(q)
    customers = [] if number else list(with_disclosure(user, search_customers(user, q))[:limit])
    tickets = ticket_queue(user, q=number or q, sort="newest")
    ticket_count, _capped = capped_count(tickets, cap=limit * 10)
    if not ticket_count and customers:
        # A name typed in pinyin (liuwei, lw) or in part (刘) matches no ticket's words: show
        # the tickets of the customers it found instead.
        tickets = ticket_queue(user, sort="newest").filter(
            customer_id__in=[c.pk for c in customers]
        )
        ticket_count, _capped = capped_count(tickets, cap=limit * 10)
    found = with_customer_disclosure(user, for_listing(tickets)[:limit])
    for t in found:
        t.customer_shown = customer_shown(user, t)
    purchases = [] if number else list(purchases_by_serial(user, q)[:limit])
    return {
        "tickets": found,
        "ticket_count": ticket_count,
        "customers": customers,
        "purchases": purchases,
        "number": number,
    }
