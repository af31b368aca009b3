"""Issue 10: the PIPL rights at the desk: export (readable page and JSON) and erase with a typed
confirmation and a reason, through the same service as the API, audited."""

import pytest

from kefu.customers.models import PiiReveal
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(chain):
    return CustomerFactory(
        name="欧阳明",
        phone="13912345678",
        email="oym@example.cn",
        home_store=chain["stores"]["SH001"],
    )


def test_the_customer_page_offers_export_and_erase_to_the_right_roles_only(desk, customer):
    page = desk("cs_manager").get(f"/desk/customers/{customer.pk}/").content.decode()
    assert "导出个人信息" in page and "删除/匿名化" in page
    staff = desk("staff_sh001").get(f"/desk/customers/{customer.pk}/").content.decode()
    assert "导出个人信息" not in staff and "删除/匿名化" not in staff
    assert desk("staff_sh001").get(f"/desk/customers/{customer.pk}/erase/").status_code == 403
    assert (
        desk("staff_sh001")
        .post(f"/desk/customers/{customer.pk}/erase/", {"confirm_tail": "5678", "reason": "x"})
        .status_code
        == 403
    )
    assert desk("staff_bj001").get(f"/desk/customers/{customer.pk}/erase/").status_code == 404


def test_export_downloads_json_and_reads_as_a_page(desk, customer):
    client = desk("cs_manager")
    page = client.get(f"/desk/customers/{customer.pk}/export/")
    assert page.status_code == 200 and "13912345678" in page.content.decode()
    download = client.get(f"/desk/customers/{customer.pk}/export/?format=json")
    assert download["Content-Disposition"].startswith("attachment")
    assert download.json()["profile"]["email"] == "oym@example.cn"
    assert PiiReveal.objects.filter(customer=customer, fields="export").count() == 2


def test_erase_needs_the_mobile_tail_and_a_reason_then_is_irreversible(desk, customer):
    client = desk("cs_manager")
    url = f"/desk/customers/{customer.pk}/erase/"
    form = client.get(url).content.decode()
    assert "不可恢复" in form and "手机号后四位" in form
    wrong = client.post(url, {"confirm_tail": "1234", "reason": "客户来电要求删除"})
    assert wrong.status_code == 422 and "确认信息不符" in wrong.content.decode()
    no_reason = client.post(url, {"confirm_tail": "5678", "reason": ""})
    assert no_reason.status_code == 422
    customer.refresh_from_db()
    assert customer.erased_at is None and customer.phone == "13912345678"
    done = client.post(url, {"confirm_tail": "5678", "reason": "客户来电要求删除"}, follow=True)
    assert "已删除" in done.content.decode()
    customer.refresh_from_db()
    assert customer.erased_at is not None and customer.phone is None and customer.email == ""
    assert "欧阳" not in customer.name
    audit = PiiReveal.objects.get(customer=customer, fields="erase")
    assert audit.user.username == "cs_manager" and "客户来电要求删除" in audit.context
    page = client.get(f"/desk/customers/{customer.pk}/").content.decode()
    assert "删除/匿名化" not in page and "13912345678" not in page
