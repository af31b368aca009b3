import json

import pytest

from kefu.customers.models import Customer, PiiReveal, Purchase
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_register_a_customer_and_find_by_phone_last4_name_and_pinyin(api, chain):
    r = post(
        api("staff_sh001"),
        "/api/v1/customers",
        {"name": "欧阳娜", "phone": "138-0013-8000", "gender": "female"},
    )
    assert (
        r.status_code == 201
        and r.json()["honorific"] == "欧阳女士"
        and r.json()["phone"] == "13800138000"
    )
    client = api("staff_sh001")
    for q in ("13800138000", "8000", "欧阳", "ouyang", "oyn"):
        found = client.get("/api/v1/customers", {"q": q}).json()
        assert [c["name"] for c in found["items"]] == ["欧阳娜"], q
        assert found["items"][0]["phone"] == "138****8000"


def test_duplicate_mobile_is_409_and_bad_mobile_422(api, chain):
    post(api("cs_agent"), "/api/v1/customers", {"name": "张伟", "phone": "13900000001"})
    assert (
        post(
            api("cs_agent"), "/api/v1/customers", {"name": "张三", "phone": "13900000001"}
        ).status_code
        == 409
    )
    r = post(api("cs_agent"), "/api/v1/customers", {"name": "张三", "phone": "02164261234"})
    assert r.status_code == 422 and r.json()["field"] == "phone"
    assert Customer.objects.count() == 1


def test_record_and_read_a_purchase(api, chain):
    customer = CustomerFactory(home_store=chain["stores"]["SH001"])
    r = post(
        api("staff_sh001"),
        f"/api/v1/customers/{customer.id}/purchases",
        {
            "category": "refrigerator",
            "model_name": "骏和 BCD-470WDPG",
            "serial": "SN1",
            "sale_date": "2026-03-01",
            "invoice_number": "",
            "price": "3999.50",
            "store": "SH001",
            "is_sample_unit": True,
            "sales_channel": "store",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["price"] == "3999.50"
        and body["has_invoice"] is False
        and body["is_sample_unit"] is True
    )
    assert (
        api("staff_sh001").get(f"/api/v1/purchases/{body['id']}").json()["model_name"]
        == "骏和 BCD-470WDPG"
    )
    listed = api("staff_sh001").get(f"/api/v1/customers/{customer.id}/purchases").json()
    assert [p["id"] for p in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"price": "12.345"}, "price"),
        ({"price": "-1"}, "price"),
        ({"category": "spaceship"}, "category"),
        ({"sale_date": "2999-01-01"}, "sale_date"),
        ({"store": "BJ001"}, "store"),
        ({"sale_date": "not a date"}, "sale_date"),
        ({"production_date": "2026-04-01"}, "production_date"),
    ],
)
def test_bad_purchases_are_refused_naming_the_field(api, chain, patch, field):
    customer = CustomerFactory(home_store=chain["stores"]["SH001"])
    body = {
        "category": "refrigerator",
        "model_name": "冰箱",
        "sale_date": "2026-03-01",
        "price": "100.00",
        **patch,
    }
    r = post(api("staff_sh001"), f"/api/v1/customers/{customer.id}/purchases", body)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field
    assert Purchase.objects.count() == 0


def test_reading_a_customer_is_audited(api, chain, users):
    customer = CustomerFactory()
    api("cs_agent").get(f"/api/v1/customers/{customer.id}")
    assert PiiReveal.objects.filter(user=users["cs_agent"], customer=customer).count() == 1


def test_an_agent_corrects_the_form_of_address_and_every_greeting_uses_it(api, chain):
    r = post(
        api("staff_sh001"),
        "/api/v1/customers",
        {"name": "阿依古丽·买买提", "phone": "13800138011", "gender": "female"},
    )
    assert r.json()["honorific"] == "阿依古丽·买买提您好"  # not 阿女士
    url = f"/api/v1/customers/{r.json()['id']}/form-of-address"
    client = api("staff_sh001")
    r = client.put(
        url, data=json.dumps({"address_as": "阿依古丽女士"}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["honorific"] == "阿依古丽女士"
    customer = Customer.objects.get(pk=r.json()["id"])
    assert customer.greeting == "阿依古丽女士您好"
    from kefu.quality.selectors import context_for

    assert context_for(customer).honorific == "阿依古丽女士"
    r = client.put(url, data=json.dumps({"address_as": ""}), content_type="application/json")
    assert r.json()["honorific"] == "阿依古丽·买买提您好"


def test_correcting_a_customer_outside_ones_scope_is_404(api, chain):
    customer = CustomerFactory(
        name="David Wang", gender="male", home_store=chain["stores"]["SH001"]
    )
    r = api("staff_bj001").put(
        f"/api/v1/customers/{customer.pk}/form-of-address",
        data=json.dumps({"address_as": "王总"}),
        content_type="application/json",
    )
    assert r.status_code == 404
    customer.refresh_from_db()
    assert customer.address_as == "" and customer.honorific == "Wang先生"
