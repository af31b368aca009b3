"""Opening a ticket is safe to retry (issue 10, item 6): the answer comes from what the
transaction wrote, and one Idempotency-Key is one request."""

import json

import pytest

from kefu.tickets import api as tickets_api
from kefu.tickets.models import IdempotencyKey, Ticket, TicketEvent
from tests.web.test_nul_refused import NEW_TICKET

pytestmark = pytest.mark.django_db


def create(client, body, key=None, **headers):
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        "/api/v1/tickets", json.dumps(body), content_type="application/json", **headers
    )


def test_a_failure_while_answering_leaves_no_ticket_behind(api, chain, monkeypatch):
    """The old handler read the answer after the commit: a 500 then had opened the ticket, and
    the client's retry opened a second one."""
    failures = iter([RuntimeError("connection lost while answering")])

    def flaky(ticket):
        if (error := next(failures, None)) is not None:
            raise error
        return None

    monkeypatch.setitem(tickets_api.TICKET_EXTRAS, "flaky", flaky)
    client = api("cs_agent")
    client.raise_request_exception = False
    assert create(client, {**NEW_TICKET, "tags": ["冰箱"]}).status_code == 500
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0
    retry = create(client, {**NEW_TICKET, "tags": ["冰箱"]})
    assert retry.status_code == 201 and retry.json()["tags"] == ["冰箱"]
    assert Ticket.objects.count() == 1


def test_the_same_key_and_body_answers_the_first_ticket(api, chain):
    first = create(api("cs_agent"), NEW_TICKET, key="k-1")
    again = create(api("cs_agent"), dict(reversed(NEW_TICKET.items())), key="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and Ticket.objects.count() == 1


def test_the_same_key_with_a_different_body_is_refused(api, chain):
    first = create(api("cs_agent"), NEW_TICKET, key="k-2")
    other = create(api("cs_agent"), {**NEW_TICKET, "subject": "洗衣机漏水"}, key="k-2")
    assert first.status_code == 201
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    assert "幂等键" in other.json()["detail"]
    assert Ticket.objects.count() == 1 and Ticket.objects.get().subject == "冰箱不制冷"


def test_keys_stored_before_the_hash_still_replay(api, chain):
    first = create(api("cs_agent"), NEW_TICKET, key="k-3")
    IdempotencyKey.objects.update(request_hash="")
    again = create(api("cs_agent"), {**NEW_TICKET, "subject": "别的"}, key="k-3")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
