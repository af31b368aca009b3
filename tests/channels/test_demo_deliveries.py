"""The demo's history of messages to customers: sent when they happened, not at first run."""

import datetime

import pytest
from django.utils import timezone

from kefu.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def test_the_history_s_messages_went_out_when_they_happened(chain):
    """The first `kefu run` must not send three months of messages: what the load queued is
    dated by its timeline event and sent (backdated to that moment) by the real pipeline; a
    message of the last minutes waits for the consumer."""
    from kefu.backdate import at
    from kefu.channels.models import Delivery, DeliveryStatus
    from kefu.web.demo import _deliver_history
    from tests.factories import open_ticket

    now = timezone.now()
    then = now - datetime.timedelta(days=40)
    then = then.replace(hour=3)  # 11:00 in Shanghai: outside SMS quiet hours
    with at(then):
        ticket = open_ticket(chain["stores"]["SH001"], subject="冰箱不制冷")
    fresh_ticket = open_ticket(chain["stores"]["SH001"], subject="洗衣机漏水")

    def queued(t):
        event = TicketEvent.objects.filter(ticket=t).earliest("id")
        return Delivery.objects.create(
            ticket=t,
            event=event,
            channel="sms",
            to="13900000000",
            to_masked="139****0000",
            template="ticket_received",
            body="您好，您的服务单已受理。",
        )

    old, fresh = queued(ticket), queued(fresh_ticket)
    assert _deliver_history(now) == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == DeliveryStatus.SENT and old.created_at == then
    assert datetime.timedelta(0) < old.sent_at - then <= datetime.timedelta(minutes=1)
    assert fresh.status == DeliveryStatus.QUEUED
    line = TicketEvent.objects.filter(ticket=ticket, kind="delivery").latest("id")
    assert line.created_at == old.sent_at
