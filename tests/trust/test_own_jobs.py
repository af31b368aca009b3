"""Issue 10: a technician changes only their own jobs; after-sales reads go through the reader's
scope (an order created from the ticket panel reads the purchase as the actor may see it)."""

import json

import pytest

from kefu.aftersales import services
from kefu.tickets.services import add_attachment
from tests.factories import CustomerFactory, PurchaseFactory, open_ticket, technician
from tests.trust.test_scope_matrix import PNG

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def jobs(chain, users):
    """technician serves SH001; SH001 has a ticket of theirs and one nobody's; BJ001 one."""
    technician(users["technician"], stores=("SH001",))
    agent = users["cs_agent"]
    tickets = {}
    for name, store in (("mine", "SH001"), ("area", "SH001"), ("away", "BJ001")):
        purchase = PurchaseFactory(store=chain["stores"][store], category=chain["category"])
        ticket = open_ticket(
            chain["stores"][store], customer=purchase.customer, purchase_id=purchase.pk
        )
        order = services.create_order(actor=agent, ticket=ticket, remedy="repair", symptom="不制冷")
        attachment = add_attachment(actor=agent, ticket=ticket, name="p.png", data=PNG)
        tickets[name] = {"ticket": ticket, "order": order, "attachment": attachment}
    from kefu.tickets.services import assign

    assign(actor=agent, ticket=tickets["mine"]["ticket"], assignee=users["technician"])
    return tickets


def test_a_technician_moves_only_the_orders_of_their_jobs(api, jobs):
    client = api("technician")
    moved = lambda name: post(  # noqa: E731
        client, f"/api/v1/aftersales/orders/{jobs[name]['order'].pk}/status", {"status": "approved"}
    )
    assert moved("away").status_code == 404  # outside the area: not even there
    assert moved("area").status_code == 403  # in the area, nobody's job: seen, not theirs
    assert moved("mine").status_code == 200
    jobs["area"]["order"].refresh_from_db()
    assert jobs["area"]["order"].status == "requested"


def test_a_technician_creates_orders_only_on_their_jobs(api, jobs):
    client = api("technician")
    create = lambda name: post(  # noqa: E731
        client,
        f"/api/v1/aftersales/tickets/{jobs[name]['ticket'].pk}/orders",
        {"remedy": "repair", "symptom": "不制冷"},
    )
    assert create("away").status_code == 404
    assert create("area").status_code == 403
    # their job: past the rule (409: the ticket already has its open repair order)
    assert create("mine").status_code in (201, 409)


def test_a_technician_reads_attachments_of_their_area_only(api, desk, jobs):
    client = api("technician")
    url = "/api/v1/tickets/attachments/{}"
    assert client.get(url.format(jobs["away"]["attachment"].pk)).status_code == 404
    assert client.get(url.format(jobs["mine"]["attachment"].pk)).status_code == 200
    page = desk("technician")
    assert page.get(f"/desk/attachments/{jobs['away']['attachment'].pk}/").status_code == 404
    # writing onto a ticket not theirs: refused
    r = page.post(
        f"/desk/tickets/{jobs['area']['ticket'].pk}/attach/",
        {"file": ("x.png", PNG)},
    )
    assert (
        r.status_code in (403, 404)
        or "x.png" not in page.get(f"/desk/tickets/{jobs['area']['ticket'].pk}/").content.decode()
    )


def test_the_order_prefill_reads_the_purchase_as_the_actor_may(api, chain, users):
    """A BJ001 ticket linked (by the CS department) to a purchase SH001 sold: BJ001's staff do
    not get SH001's sale (price, dates) nor the name on file through the decision or an order."""
    customer = CustomerFactory(name="欧阳明", gender="female", home_store=chain["stores"]["SH001"])
    purchase = PurchaseFactory(
        customer=customer, store=chain["stores"]["SH001"], category=chain["category"]
    )
    ticket = open_ticket(chain["stores"]["BJ001"], customer=customer, purchase_id=purchase.pk)
    bj = api("staff_bj001")
    r = bj.get(f"/api/v1/aftersales/tickets/{ticket.pk}/decision")
    # no purchase on file for them: the engine lacks the facts (422), nothing of the sale shown
    assert r.status_code == 422 and r.json()["field"] == "category"
    assert "4999" not in r.content.decode()
    # an order needs the facts from the reader now (none on file for them): refused, not filled
    r = post(bj, f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"})
    assert r.status_code == 422, r.content
    # the CS department sees the sale and fills from it
    agent = api("cs_agent")
    full = agent.get(f"/api/v1/aftersales/tickets/{ticket.pk}/decision").json()
    assert full["purchase_id"] == purchase.pk and full["case"]["price"] == "4999.00"
    assert (
        post(
            agent, f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"}
        ).status_code
        == 201
    )
