"""The desk records a purchase and links it to the ticket; the API's PATCH takes purchase_id."""

import pytest

from kefu.customers.models import Purchase
from tests.factories import CustomerFactory, PurchaseFactory, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(chain):
    return open_ticket(chain["stores"]["SH001"], customer=CustomerFactory(name="王芳"))


def test_an_agent_records_a_purchase_and_links_it_from_the_ticket_page(desk, chain, ticket):
    agent = desk("cs_agent")
    form = agent.get(f"/desk/tickets/{ticket.pk}/purchase/new/")
    assert "登记并关联到本工单" in form.content.decode()
    answer = agent.post(
        f"/desk/tickets/{ticket.pk}/purchase/new/",
        {
            "category": chain["category"].code,
            "model_name": "海尔 BCD-470",
            "sale_date": "2026-01-05",
            "price": "3999.00",
            "invoice_number": "FP123",
            "store": "SH001",
            "version": ticket.version,
        },
    )
    assert answer.status_code == 302
    ticket.refresh_from_db()
    assert ticket.purchase.model_name == "海尔 BCD-470"
    page = agent.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert "本工单的购买记录" in page and "已关联购买记录: 海尔 BCD-470" in page


def test_a_refused_link_leaves_no_purchase_behind(desk, chain, ticket):
    answer = desk("cs_agent").post(
        f"/desk/tickets/{ticket.pk}/purchase/new/",
        {
            "category": chain["category"].code,
            "model_name": "海尔 BCD-470",
            "sale_date": "2026-01-05",
            "price": "3999.00",
            "version": ticket.version - 1,  # someone changed the ticket meanwhile
        },
    )
    assert answer.status_code == 409
    assert not Purchase.objects.exists()


def test_linking_an_existing_purchase_from_the_desk(desk, ticket):
    purchase = PurchaseFactory(customer=ticket.customer)
    answer = desk("cs_agent").post(
        f"/desk/tickets/{ticket.pk}/purchase/", {"purchase_id": purchase.pk}
    )
    assert answer.status_code == 302
    ticket.refresh_from_db()
    assert ticket.purchase_id == purchase.pk


def test_api_patch_links_and_unlinks_a_purchase(api, ticket):
    purchase = PurchaseFactory(customer=ticket.customer)
    answer = api("cs_agent").patch(
        f"/api/v1/tickets/{ticket.pk}",
        {"purchase_id": purchase.pk},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["purchase_id"] == purchase.pk
    unlinked = api("cs_agent").patch(
        f"/api/v1/tickets/{ticket.pk}", {"purchase_id": None}, content_type="application/json"
    )
    assert unlinked.json()["purchase_id"] is None


def test_another_customers_purchase_is_refused(api, ticket):
    other = PurchaseFactory(customer=CustomerFactory())
    answer = api("cs_agent").patch(
        f"/api/v1/tickets/{ticket.pk}", {"purchase_id": other.pk}, content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "purchase_id"


def test_priority_type_and_tags_are_edited_from_the_toolbar(desk, ticket):
    answer = desk("cs_agent").post(
        f"/desk/tickets/{ticket.pk}/details/",
        {"priority": "high", "type": "complaint", "tags": "噪音，上门", "version": ticket.version},
    )
    assert answer.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.type) == ("high", "complaint")
    assert sorted(t.name for t in ticket.tags.all()) == ["上门", "噪音"]
    page = desk("cs_agent").get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert 'value="high" selected' in page
