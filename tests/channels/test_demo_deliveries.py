"""The demo's history of messages to customers: sent when they happened, not at first run."""

import datetime

import pytest
from django.utils import timezone

from kefu.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def test_the_history_s_messages_went_out_when_they_happened(chain):
    """The first `kefu run` must not send three months of messages: what the load queued is
    sent (backdated to its moment) by the real pipeline; a message quiet hours still hold waits."""
    from kefu.backdate import at
    from kefu.channels.models import Delivery, DeliveryStatus
    from kefu.web.demo import _deliver_history
    from tests.factories import open_ticket

    now = timezone.now()
    then = now - datetime.timedelta(days=40)
    with at(then):
        ticket = open_ticket(chain["stores"]["SH001"], subject="冰箱不制冷")
        old = Delivery.objects.create(
            ticket=ticket,
            channel="sms",
            to="13900000000",
            to_masked="139****0000",
            template="ticket_received",
            body="您好，您的服务单已受理。",
        )
    held = Delivery.objects.create(
        ticket=ticket,
        channel="sms",
        to="13900000000",
        to_masked="139****0000",
        template="public_reply",
        body="您好，有新的回复。",
        not_before=now + datetime.timedelta(hours=9),
    )
    assert _deliver_history(now) == 1
    old.refresh_from_db()
    held.refresh_from_db()
    assert old.status == DeliveryStatus.SENT
    assert datetime.timedelta(0) < old.sent_at - then <= datetime.timedelta(minutes=1)
    assert held.status == DeliveryStatus.QUEUED
    line = TicketEvent.objects.filter(ticket=ticket, kind="delivery").latest("id")
    assert abs(line.created_at - old.sent_at) < datetime.timedelta(seconds=1)
