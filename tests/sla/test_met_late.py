"""A clock stopped after its due time is a breach (met late), not met on time; the data
migration repairs the rows the old code recorded as met."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps

from kefu.sla.models import ClockState, SlaClock
from kefu.tickets import services as tickets
from kefu.tickets.models import Ticket
from tests.factories import open_ticket
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def clock(ticket, target):
    return SlaClock.objects.filter(ticket=ticket, target=target).order_by("-id").first()


def test_a_reply_after_the_due_time_is_met_late_and_the_ticket_shows_the_breach(chain, users):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="consultation")
    due = Ticket.objects.get(pk=ticket.pk).first_response_due
    with time_machine.travel(at(2026, 3, 3, 11), tick=False):  # 25 h later: the promise is 24 h
        tickets.add_reply(actor=users["cs_agent"], ticket=ticket, body="您好，已为您查询。")
    c = clock(ticket, "first_response")
    assert c.state == ClockState.MET and c.breached_at == due and c.warned_at is not None
    assert Ticket.objects.get(pk=ticket.pk).sla_breached == ["first_response"]


def test_a_reply_in_time_is_met_on_time(chain, users):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="consultation")
    with time_machine.travel(at(2026, 3, 3, 9, 59), tick=False):
        tickets.add_reply(actor=users["cs_agent"], ticket=ticket, body="您好，已为您查询。")
    c = clock(ticket, "first_response")
    assert c.state == ClockState.MET and c.breached_at is None
    assert Ticket.objects.get(pk=ticket.pk).sla_breached == []


def test_resolving_late_is_a_resolution_breach(chain, users):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="consultation")
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):  # due 03-07 10:00
        tickets.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    c = clock(ticket, "resolution")
    assert c.state == ClockState.MET and c.breached_at == at(2026, 3, 7, 10)
    assert "resolution" in Ticket.objects.get(pk=ticket.pk).sla_breached


def test_time_paused_waiting_for_the_customer_does_not_make_a_resolution_late(chain, users):
    agent = users["cs_agent"]
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="consultation")
        tickets.add_reply(actor=agent, ticket=ticket, body="请您提供发票照片。")
        tickets.change_status(actor=agent, ticket=ticket, status="pending_customer")
    # Resolved while still paused, after the unpaused due time (03-07 10:00): the pause counts.
    with time_machine.travel(at(2026, 3, 8, 10), tick=False):
        tickets.change_status(actor=agent, ticket=ticket, status="resolved")
    c = clock(ticket, "resolution")
    assert c.state == ClockState.MET and c.breached_at is None
    assert c.due_at > at(2026, 3, 8, 10)


def test_the_migration_repairs_clocks_recorded_as_met_after_their_due_time(chain, users):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        late = open_ticket(chain["stores"]["SH001"], type="consultation")
        on_time = open_ticket(chain["stores"]["SH001"], type="consultation")
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        tickets.add_reply(actor=users["cs_agent"], ticket=late, body="您好。")
        tickets.add_reply(actor=users["cs_agent"], ticket=on_time, body="您好。")
    # What the old code left behind: met, no breach, stopped a day after the due time.
    c = clock(late, "first_response")
    SlaClock.objects.filter(pk=c.pk).update(stopped_at=c.due_at + 24 * H)
    migration = importlib.import_module("kefu.sla.migrations.0003_met_late")
    migration.mark_met_late(apps, None)
    migration.mark_met_late(apps, None)  # idempotent
    c.refresh_from_db()
    assert c.state == ClockState.MET and c.breached_at == c.due_at
    assert Ticket.objects.get(pk=late.pk).sla_breached == ["first_response"]
    assert clock(on_time, "first_response").breached_at is None
    assert Ticket.objects.get(pk=on_time.pk).sla_breached == []
