"""The desk's customer page: an agent corrects how the customer is addressed."""

import pytest

from kefu.customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_an_agent_corrects_the_form_of_address_on_the_customer_page(desk, chain):
    customer = CustomerFactory(
        name="阿依古丽·买买提", gender="female", home_store=chain["stores"]["SH001"]
    )
    client = desk("staff_sh001")
    page = client.get(f"/desk/customers/{customer.pk}/").content.decode()
    assert "阿依古丽·买买提您好" in page and "保存称呼" in page
    r = client.post(
        f"/desk/customers/{customer.pk}/form-of-address/", {"address_as": "阿依古丽女士"}
    )
    assert r.status_code == 302
    assert Customer.objects.get(pk=customer.pk).greeting == "阿依古丽女士您好"
    page = client.get(f"/desk/customers/{customer.pk}/").content.decode()
    assert "今后将称呼这位客户为“阿依古丽女士”" in page


def test_a_customer_outside_scope_cannot_be_corrected(desk, chain):
    customer = CustomerFactory(
        name="David Wang", gender="male", home_store=chain["stores"]["SH001"]
    )
    r = desk("staff_bj001").post(
        f"/desk/customers/{customer.pk}/form-of-address/", {"address_as": "王总"}
    )
    assert r.status_code == 404
    assert Customer.objects.get(pk=customer.pk).address_as == ""
