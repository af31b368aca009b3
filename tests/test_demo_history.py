"""The demo is what a buyer judges the product by: its history must hold together."""

import datetime

import pytest
from django.db.models import F
from django.utils import timezone

from kefu.feedback.demo import COMMENTS
from kefu.feedback.models import Survey
from kefu.sla.models import SlaClock
from kefu.tickets.models import OPEN_STATUSES, Ticket, TicketEvent
from kefu.web.demo import FAULTS, load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            added = load_demo(n_customers=30, n_tickets=120)
            yield added
            transaction.set_rollback(True)


def test_the_history_holds_together(history):
    now = timezone.now()
    tickets = Ticket.objects.select_related("purchase__category")
    assert history["tickets"] == 120 == tickets.count()
    # Spread over the 90 days, never before the purchase it concerns.
    assert tickets.dates("created_at", "day").count() >= 60
    assert not tickets.filter(purchase__sale_date__gt=F("created_at__date")).exists()
    assert not tickets.filter(created_at__lt=now - datetime.timedelta(days=91)).exists()
    # Faults fit the product: a TV does not leak, a laptop does not stop cooling.
    for t in tickets.filter(type="fault_report"):
        label = t.purchase.model_name
        allowed = {s.format(model=label) for s, _d in FAULTS[t.purchase.category.code]}
        assert t.subject in allowed, t.subject
    assert not tickets.filter(subject__regex=r"(星河|骏和|华瑞|美澜) \1").exists()
    # The open backlog is recent: nothing waits "new" for days, old tickets are settled.
    assert not tickets.filter(
        status="new", created_at__lt=now - datetime.timedelta(days=2)
    ).exists()
    assert not tickets.filter(
        status__in=OPEN_STATUSES, created_at__lt=now - datetime.timedelta(days=21)
    ).exists()
    assert tickets.filter(status__in=["resolved", "closed"]).count() > 0.8 * 120
    # Most first responses on time, some late, with real clocks.
    first = SlaClock.objects.filter(target="first_response", stopped_at__isnull=False)
    late = first.filter(stopped_at__gt=F("due_at")).count()
    assert 0 < late < 0.25 * first.count()


def test_surveys_come_after_resolution_and_say_what_they_score(history):
    answered = Survey.objects.filter(answered_at__isnull=False).select_related("ticket")
    assert answered.count() > 20
    assert len({s.answered_at.date() for s in answered}) > 20  # not all on the load day
    for s in answered:
        resolved = (
            TicketEvent.objects.filter(ticket=s.ticket, kind="status", data__status="resolved")
            .order_by("created_at")
            .first()
        )
        assert resolved is not None and resolved.created_at < s.answered_at
        assert s.comment in COMMENTS[s.csat], (s.csat, s.comment)
