"""Call-centre events: HMAC-signed; a ringing call pops the caller in the agent's bell, an ended
call is logged on (or opens) the caller's ticket, a missed call becomes a callback ticket; a
forged, stale or malformed event changes nothing."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from kefu.notifications.models import Notification
from kefu.tickets.models import Ticket, TicketEvent
from tests.factories import CustomerFactory, open_ticket

pytestmark = pytest.mark.django_db
SECRET = "call-centre-secret"
URL = "/api/v1/channels/hotline/events"


def post(payload, secret=SECRET, timestamp=None):
    body = json.dumps(payload).encode()
    timestamp = str(timestamp or int(time.time()))
    signature = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return Client().post(
        URL,
        data=body,
        content_type="application/json",
        HTTP_X_KEFU_TIMESTAMP=timestamp,
        HTTP_X_KEFU_SIGNATURE=signature.hexdigest(),
    )


@pytest.fixture(autouse=True)
def secret(settings):
    settings.KEFU_HOTLINE_SECRET = SECRET


def test_ringing_pops_the_known_caller_in_the_agents_bell(chain, users):
    customer = CustomerFactory(phone="13912345678", name="王芳")
    ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    answer = post(
        {"call_id": "c1", "event": "ringing", "caller": "13912345678", "agent": "cs_agent"}
    )
    assert answer.status_code == 202 and answer.json() == {
        "ticket_id": ticket.pk,
        "outcome": "popped",
    }
    note = Notification.objects.get(recipient=users["cs_agent"], kind="hotline_call")
    assert "王芳" in note.text and "139****5678" in note.text and note.ticket_id == ticket.pk


def test_missed_call_becomes_a_callback_ticket_and_an_ended_call_is_logged(chain):
    missed = post({"call_id": "c2", "event": "missed", "caller": "13800001111", "store": "SH002"})
    assert missed.status_code == 202 and missed.json()["outcome"] == "callback"
    ticket = Ticket.objects.get(pk=missed.json()["ticket_id"])
    assert (ticket.channel, ticket.subject, ticket.store.code) == (
        "phone",
        "未接来电，请回拨",
        "SH002",
    )
    ended = post({"call_id": "c3", "event": "ended", "caller": "13800001111", "duration": 95})
    assert ended.json() == {"ticket_id": ticket.pk, "outcome": "call_logged"}
    calls = TicketEvent.objects.filter(ticket=ticket, kind="call").order_by("id")
    assert [e.data["missed"] for e in calls] == [True, False] and calls[1].data["duration"] == 95
    # The call-centre sends the same event again: taken once.
    assert (
        post({"call_id": "c3", "event": "ended", "caller": "13800001111"}).json()["outcome"]
        == "duplicate"
    )


def test_forged_stale_or_malformed_events_change_nothing(chain):
    payload = {"call_id": "c4", "event": "missed", "caller": "13800002222"}
    assert post(payload, secret="guess").status_code == 403
    assert post(payload, timestamp=int(time.time()) - 3600).status_code == 403
    assert post({**payload, "event": "explode"}).status_code == 422
    assert post({**payload, "caller": "12345"}).status_code == 422
    assert Client().post(URL, data=b"{}", content_type="application/json").status_code == 403
    assert Ticket.objects.count() == 0
