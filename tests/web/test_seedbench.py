"""`kefu seed-bench`: the generated history holds together like the services' own."""

import pytest
from django.db.models import Count

from kefu import search
from kefu.feedback.models import Survey
from kefu.sla.models import SlaClock
from kefu.tickets import selectors
from kefu.tickets.models import OPEN_STATUSES, Ticket, TicketCounter, TicketEvent
from kefu.web.seedbench import RARE_WORD, seed_bench

# The writer thread uses its own connection: the rows must be committed for it and for us.
pytestmark = pytest.mark.django_db(transaction=True)


def test_seeded_tickets_hold_together():
    report = seed_bench(400, rare_every=40, batch=150)
    assert report["tickets"] == 400 == Ticket.objects.count()
    tickets = list(Ticket.objects.select_related("customer"))
    # Numbers unique and each day's counter at its last number.
    numbers = [t.number for t in tickets]
    assert len(set(numbers)) == len(numbers)
    last = {}
    for n in numbers:
        day, seq = n.split("-")[1], int(n.split("-")[2])
        last[day] = max(last.get(day, 0), seq)
    counters = {c.day.strftime("%Y%m%d"): c.last for c in TicketCounter.objects.all()}
    assert all(counters[day] >= seq for day, seq in last.items())
    # The search text is what open_ticket stores.
    for t in tickets[:120]:
        assert t.search_text == search.segment(t.number, t.subject, t.description, t.customer.name)
    # Clocks match their tickets: the running ones' due times are on the ticket row.
    clocks = {}
    for c in SlaClock.objects.all():
        clocks.setdefault(c.ticket_id, []).append(c)
    for t in tickets:
        mine = clocks.get(t.pk, [])
        if not t.sla_policy:
            assert not mine
            continue
        assert {c.target for c in mine} <= {"first_response", "resolution"} and mine
        active = {c.target: c for c in mine if c.state in ("running", "paused")}
        assert t.first_response_due == (
            active["first_response"].due_at if "first_response" in active else None
        )
        assert t.resolution_due == (active["resolution"].due_at if "resolution" in active else None)
        if t.status not in OPEN_STATUSES:
            assert not active and t.sla_due is None and t.sla_next_due is None
        for c in mine:
            assert c.started_at == t.created_at and c.warn_at <= c.due_at
            assert (c.breached_at is not None) == (c.target in t.sla_breached)
    # Every ticket has its created event; resolved ones their resolution; events in order.
    kinds = dict(
        TicketEvent.objects.filter(kind="created").values_list("ticket").annotate(n=Count("id"))
    )
    assert len(kinds) == 400 and set(kinds.values()) == {1}
    for t in tickets:
        if t.resolved_at is not None:
            assert t.events.filter(kind="status", data__status="resolved").exists()
    assert Survey.objects.exists()
    assert not Survey.objects.exclude(ticket__status__in=["resolved", "closed"]).exists()
    # Search finds the generated words: the rare one and a common one.
    from kefu.org.models import Staff

    manager = Staff.objects.get(user__username="cs_manager").user
    rare = selectors.ticket_queue(manager, q=RARE_WORD)
    assert rare.count() == report["rare_tickets"] == 10
    assert all(RARE_WORD in t.description for t in rare)
    common = selectors.ticket_queue(manager, q="不制冷")
    assert 0 < common.count() == sum("不制冷" in (t.subject + t.description) for t in tickets)


def test_a_second_run_adds_more_and_the_services_continue():
    seed_bench(120, batch=50)
    seed_bench(80, batch=50)
    assert Ticket.objects.count() == 200
    assert Ticket.objects.values("number").distinct().count() == 200
    from kefu.customers.models import Customer
    from kefu.org.models import Staff
    from kefu.tickets import services

    agent = Staff.objects.get(user__username="cs_agent").user
    customer = Customer.objects.first()
    ticket, created = services.open_ticket(
        actor=agent,
        type="consultation",
        channel="phone",
        subject="保修期多久",
        description="想了解一下冰箱保修多久",
        store=customer.home_store.code,
        customer=customer,
    )
    assert created and ticket.pk > max(
        Ticket.objects.exclude(pk=ticket.pk).values_list("pk", flat=True)
    )


def test_clocks_are_counted_as_the_services_count_them_and_the_facts_are_built():
    """Due and warning times are add_business_time's on the clock's calendar, met clocks carry
    the business seconds the services write, and the report facts (built set-based on
    PostgreSQL) equal what the Python rebuild makes of the same rows."""
    import datetime

    from kefu.analytics import facts
    from kefu.analytics.models import ChainDay, ClockFact, EventFact, TicketFact
    from kefu.sla import services as sla_services
    from kefu.sla.calendar import add_business_time
    from kefu.sla.seed import seed_all
    from kefu.sla.selectors import clear_caches, get_calendar, policy_by_code

    # The policies and calendars the migrations seed (an earlier transactional test may have
    # flushed them), and the caches that read them.
    seed_all()
    clear_caches()
    seed_bench(300, batch=120)
    clocks = list(SlaClock.objects.select_related("ticket__store"))
    assert {c.calendar for c in clocks} >= {"store", "always"}
    for c in clocks:
        policy = policy_by_code(c.ticket.sla_policy)
        cal = get_calendar(c.calendar)
        minutes = datetime.timedelta(minutes=c.target_minutes)
        assert c.due_at == add_business_time(c.started_at, minutes, cal)
        warn = datetime.timedelta(seconds=round(c.target_minutes * 60 * policy.warn_percent / 100))
        assert c.warn_at == add_business_time(c.started_at, warn, cal)
        if c.state == "met":
            assert c.business_seconds == sla_services.business_seconds(c)
        else:
            assert c.business_seconds is None

    def snapshot():
        return (
            set(TicketFact.objects.values_list()),
            set(ClockFact.objects.values_list()),
            set(EventFact.objects.values_list()),
            set(ChainDay.objects.values_list("day", "metric", "bucket", "n")),
        )

    seeded = snapshot()
    assert len(seeded[0]) == 300 and len(seeded[1]) == len(clocks) and seeded[3]
    facts.rebuild()
    assert snapshot() == seeded
