"""The hotline at the desk (来电登记): the call-centre's ringing event pops the caller in the
agent's bell with a link to the call page; the caller's number finds the customer, purchases and
open tickets in scope (masked out of scope); the agent adds a note or opens a ticket; a missed
call is a callback task until it is called back."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from kefu.channels.models import Call
from kefu.customers.models import Customer
from kefu.tickets.models import Ticket, TicketEvent
from tests.factories import CustomerFactory, open_ticket, purchase_bought

pytestmark = pytest.mark.django_db
SECRET = "call-centre-secret"


def event(payload):
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()))
    signature = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    answer = Client().post(
        "/api/v1/channels/hotline/events",
        data=body,
        content_type="application/json",
        HTTP_X_KEFU_TIMESTAMP=timestamp,
        HTTP_X_KEFU_SIGNATURE=signature.hexdigest(),
    )
    assert answer.status_code == 202, answer.content
    return answer.json()


@pytest.fixture(autouse=True)
def secret(settings):
    settings.KEFU_HOTLINE_SECRET = SECRET


def test_ringing_pops_the_caller_and_the_agent_adds_a_note_to_the_open_ticket(chain, users, desk):
    customer = CustomerFactory(phone="13912345678", name="王芳")
    purchase_bought(30, customer=customer, store=chain["stores"]["SH001"])
    ticket = open_ticket(chain["stores"]["SH001"], customer=customer, subject="冰箱不制冷")
    event({"call_id": "r1", "event": "ringing", "caller": "13912345678", "agent": "cs_agent"})
    agent = desk("cs_agent")
    # the bell: a notification linking to the ticket and to the call page
    bell = agent.get("/desk/notifications/")
    assert "王芳" in bell.text and 'href="/desk/channels/calls/"' in bell.text
    page = agent.get("/desk/channels/calls/")
    assert page.status_code == 200 and "转接给您的来电" in page.text and "139****5678" in page.text
    call = Call.objects.get(call_id="r1")
    assert call.agent == users["cs_agent"] and call.ticket == ticket
    shown = agent.get(f"/desk/channels/calls/{call.pk}/")
    assert "王芳" in shown.text and ticket.number in shown.text and "13912345678" not in shown.text
    assert "冰箱" in shown.text  # the purchase's category
    logged = agent.post(
        f"/desk/channels/calls/{call.pk}/",
        {"action": "note", "ticket": ticket.pk, "note": "顾客询问师傅几点到。"},
    )
    assert logged.status_code == 302 and logged.url == f"/desk/tickets/{ticket.pk}/"
    line = TicketEvent.objects.get(ticket=ticket, kind="call")
    assert line.body == "顾客询问师傅几点到。" and line.actor == users["cs_agent"]
    assert line.data["call_id"] == "r1" and not line.public


def test_a_new_caller_gets_a_ticket_from_the_call_page(chain, users, desk):
    agent = desk("cs_agent")
    found = agent.post("/desk/channels/calls/", {"phone": "138 0000 1111", "action": "lookup"})
    assert "新来电顾客" in found.text and "138****1111" in found.text
    opened = agent.post(
        "/desk/channels/calls/",
        {
            "phone": "13800001111",
            "action": "new",
            "name": "李明",
            "type": "consultation",
            "store": "SH001",
            "subject": "洗衣机安装咨询",
            "note": "想约周六安装。",
        },
    )
    assert opened.status_code == 302
    ticket = Ticket.objects.get(subject="洗衣机安装咨询")
    assert ticket.channel == "phone" and ticket.customer.phone == "13800001111"
    assert Call.objects.get(ticket=ticket).status == "logged"
    # bad input: a missing subject changes nothing
    before = Ticket.objects.count()
    bad = agent.post(
        "/desk/channels/calls/",
        {"phone": "13800001111", "action": "new", "type": "consultation", "store": "SH001"},
    )
    assert bad.status_code == 422 and Ticket.objects.count() == before


def test_a_missed_call_is_a_callback_task_until_called_back(chain, users, desk):
    missed = event({"call_id": "m1", "event": "missed", "caller": "13700002222", "store": "SH001"})
    ticket = Ticket.objects.get(pk=missed["ticket_id"])
    call = Call.objects.get(call_id="m1")
    agent = desk("cs_agent")
    page = agent.get("/desk/channels/calls/")
    assert f'href="/desk/channels/calls/{call.pk}/"' in page.text and ticket.number in page.text
    # a store of another city sees neither the task nor the call
    other = desk("staff_bj001")
    assert ticket.number not in other.get("/desk/channels/calls/").text
    assert other.get(f"/desk/channels/calls/{call.pk}/").status_code == 404
    agent.post(
        f"/desk/channels/calls/{call.pk}/",
        {"action": "note", "ticket": ticket.pk, "note": "已回拨，顾客咨询空调清洗。"},
    )
    call.refresh_from_db()
    assert call.called_back_at is not None
    assert TicketEvent.objects.filter(ticket=ticket, kind="call", data__callback=True).count() == 1
    assert f"/desk/channels/calls/{call.pk}/" not in agent.get("/desk/channels/calls/").text


def test_out_of_scope_callers_are_masked_and_roles_without_the_right_are_refused(
    chain, users, desk
):
    customer = CustomerFactory(phone="13612345678", name="赵强")
    open_ticket(chain["stores"]["SH001"], customer=customer)
    # a Beijing store sees no customer of Shanghai's: a new caller to them, nothing disclosed
    found = desk("staff_bj001").post(
        "/desk/channels/calls/", {"phone": "13612345678", "action": "lookup"}
    )
    assert "赵强" not in found.text and "新来电顾客" in found.text
    assert desk("trainer").get("/desk/channels/calls/").status_code == 403
    assert Customer.objects.filter(phone="13612345678").count() == 1
