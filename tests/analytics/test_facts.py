"""The summary read from the report facts (kefu/analytics/facts.py) equals the summary computed
from the source rows, on a random history written by the real services (SQLite and PostgreSQL
alike): every scope, filters, periods; and it stays equal after later changes."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.analytics import facts, selectors
from kefu.analytics.models import ChainDay, ClockFact, StaleTicket, TicketFact
from kefu.sla import services as sla
from kefu.tickets import services as tickets
from kefu.tickets.models import Ticket
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 8, tzinfo=SH)
TYPES = ["consultation", "fault_report", "installation", "return_exchange"]
CHANNELS = ["phone", "web", "email", "chat"]
PRIORITIES = ["low", "normal", "high"]


def _random_history(chain, users, n=36, seed=11):
    """Tickets over twelve days at random hours across the stores, types, channels and
    priorities; replies after minutes to two days (some late), resolutions, reopenings,
    escalations, assignments and SLA sweeps, each at its own moment."""
    rng = random.Random(seed)
    agent = users["cs_agent"]
    stores = list(chain["stores"].values())
    actions = []  # (moment, what, index)
    made = {}
    for i in range(n):
        opened = START + timedelta(
            days=rng.randint(0, 11), hours=rng.randint(0, 12), minutes=rng.randint(0, 59)
        )
        actions.append((opened, "open", i))
        t = opened
        for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
            t += timedelta(minutes=rng.randint(5, 2900), seconds=rng.randint(0, 59))
            actions.append((t, "reply", i))
        if rng.random() < 0.3:
            actions.append((t + timedelta(minutes=rng.randint(1, 300)), "escalate", i))
        if rng.random() < 0.3:
            actions.append((t + timedelta(minutes=rng.randint(1, 300)), "assign", i))
        if rng.random() < 0.75:
            t += timedelta(minutes=rng.randint(10, 4000))
            actions.append((t, "resolve", i))
            if rng.random() < 0.25:
                t += timedelta(hours=rng.randint(1, 30))
                actions.append((t, "reopen", i))
                if rng.random() < 0.6:
                    t += timedelta(hours=rng.randint(1, 30))
                    actions.append((t, "reply", i))
                    actions.append((t + timedelta(minutes=30), "resolve", i))
    for day in range(16):  # the SLA sweep, twice a day
        for hour in (9, 21):
            actions.append((START + timedelta(days=day, hours=hour), "sweep", -1))
    actions.sort(key=lambda a: (a[0], a[2]))
    for moment, what, i in actions:
        with time_machine.travel(moment, tick=False):
            if what == "sweep":
                sla.sweep(now=moment)
                continue
            if what == "open":
                made[i] = _open(rng, stores)
                continue
            ticket = Ticket.objects.get(pk=made[i].pk)
            if what == "reply" and ticket.status != "resolved":
                tickets.add_reply(actor=agent, ticket=ticket, body="您好，已为您处理。")
            elif what == "resolve" and ticket.status != "resolved":
                tickets.change_status(actor=agent, ticket=ticket, status="resolved")
            elif what == "reopen" and ticket.status == "resolved":
                tickets.reopen(ticket=ticket, reason="customer_unhappy", body="客户仍不满意")
            elif what == "escalate" and ticket.status != "resolved":
                tickets.escalate(actor=agent, ticket=ticket, reason="需要店长处理")
            elif what == "assign" and ticket.status != "resolved":
                tickets.assign(actor=agent, ticket=ticket, assignee="cs_agent")
    return list(made.values())


def _open(rng, stores):
    ticket = open_ticket(
        rng.choice(stores), type=rng.choice(TYPES), priority=rng.choice(PRIORITIES)
    )
    # The channel as the intake would set it (the factory opens by phone).
    Ticket.objects.filter(pk=ticket.pk).update(channel=rng.choice(CHANNELS))
    facts.refresh([ticket.pk])  # rows changed without an event: refreshed by hand
    return ticket


def _both(report):
    with time_machine.travel(START + timedelta(days=20), tick=False):
        return selectors.summary(report), selectors.summary(report, direct=True)


def _reports(users):
    reports = []
    for username in ("cs_manager", "region_east", "manager_sh001"):
        scope = selectors.scope_for(users[username])
        for since, until in (
            (date(2026, 3, 1), date(2026, 3, 31)),
            (date(2026, 3, 4), date(2026, 3, 9)),
            (date(2026, 3, 10), date(2026, 3, 10)),
        ):
            reports.append(selectors.Report(scope, selectors.Period(since, until)))
    scope = selectors.scope_for(users["cs_manager"])
    period = selectors.Period(date(2026, 3, 1), date(2026, 3, 31))
    for filters in (
        selectors.Filters(type="fault_report"),
        selectors.Filters(channel="web"),
        selectors.Filters(priority="high"),
        selectors.Filters(agent="cs_agent"),
        selectors.Filters(type="installation", channel="phone"),
    ):
        reports.append(selectors.Report(scope, period, filters))
    return reports


def test_the_summary_from_the_facts_equals_the_summary_from_the_rows(chain, users):
    made = _random_history(chain, users)
    assert TicketFact.objects.count() == len(made)
    assert ClockFact.objects.count() > len(made)
    seen_breach = seen_late = seen_fcr = False
    reports = _reports(users)
    # The whole chain unfiltered reads the daily rollup; scopes and filters read the facts.
    assert selectors._uses_chain_days(reports[0])
    assert not any(selectors._uses_chain_days(r) for r in reports[3:])
    for report in reports:
        from_facts, direct = _both(report)
        assert from_facts == direct, report
        seen_breach |= direct["sla"]["breached"] > 0
        seen_late |= direct["sla"]["met_late"] > 0
        seen_fcr |= (direct["fcr_rate"] or 0) > 0
    # The history exercises what the facts must get right.
    assert seen_breach and seen_late and seen_fcr
    whole = _reports(users)[0]
    _f, direct = _both(whole)
    assert direct["opened"] == len(made) and direct["reopened"] > 0
    assert direct["first_response"]["median_minutes"] is not None


def test_a_change_after_a_read_is_in_the_next_read(chain, users):
    made = _random_history(chain, users, n=12, seed=5)
    report = _reports(users)[0]
    before, _direct = _both(report)
    assert not StaleTicket.objects.exists()  # the read refreshed what the history marked
    open_one = next(t for t in made if Ticket.objects.get(pk=t.pk).status != "resolved")
    with time_machine.travel(START + timedelta(days=19), tick=False):
        tickets.add_reply(actor=users["cs_agent"], ticket=open_one, body="已安排师傅。")
        tickets.change_status(actor=users["cs_agent"], ticket=open_one, status="resolved")
    assert StaleTicket.objects.filter(ticket_id=open_one.pk).exists()  # marked in the change
    after, direct = _both(report)
    assert after == direct
    assert after["resolved"] == before["resolved"] + 1


def test_the_rebuild_is_idempotent_and_repairs_rows_changed_without_events(chain, users):
    made = _random_history(chain, users, n=10, seed=3)
    report = _reports(users)[0]
    first, _d = _both(report)
    # A bulk edit that records no event (as a data migration might): invisible to the marks …
    Ticket.objects.filter(pk=made[0].pk).update(type="complaint")
    TicketFact.objects.filter(pk=made[1].pk).delete()
    facts.rebuild()  # … until the rebuild (kefu manage report_facts)
    assert not StaleTicket.objects.exists()  # the marks it covered are gone
    facts.rebuild()
    assert TicketFact.objects.count() == len(made)
    after, direct = _both(report)
    assert after == direct
    filtered = selectors.Report(report.scope, report.period, selectors.Filters(type="complaint"))
    from_facts, direct = _both(filtered)
    assert from_facts == direct


def test_the_days_kept_change_by_change_equal_the_days_rebuilt_from_scratch(chain, users):
    _random_history(chain, users, n=20, seed=8)
    facts.refresh_stale()
    kept = set(ChainDay.objects.values_list("day", "metric", "bucket", "n"))
    assert {m for _d, m, _b, _n in kept} >= {"opened", "fr", "res", "bs:first_response"}
    facts.rebuild_days()
    assert set(ChainDay.objects.values_list("day", "metric", "bucket", "n")) == kept


def test_buckets_are_monotone_and_their_floors_exact():
    previous = 0
    for value in [*range(0, 5000), *range(5000, 400_000, 7), 10**9]:
        b = facts.bucket(value)
        assert b >= previous
        floor = facts.bucket_floor(b)
        if b:  # the floor is the bucket's first value
            assert floor <= value and facts.bucket(floor) == b and facts.bucket(floor - 1) < b
        previous = b
    assert facts.bucket(-5) == 0 and facts.bucket_floor(0) is None
