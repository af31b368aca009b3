"""Issue 10: a mobile number discloses nothing, scopes no wider than the job, data rights."""

import json

import pytest

from tests.factories import ROLES, CustomerFactory, PurchaseFactory, open_ticket, technician

pytestmark = pytest.mark.django_db

ADDRESS = "上海市浦东新区张杨路501号12栋301室"


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def sh_customer(chain):
    """A customer on file at SH001 with a purchase there, email and address."""
    customer = CustomerFactory(
        name="欧阳明", gender="female", home_store=chain["stores"]["SH001"], email="oym@example.cn"
    )
    PurchaseFactory(
        customer=customer,
        store=chain["stores"]["SH001"],
        category=chain["category"],
        serial="SN-SH-0001",
        invoice_number="88889999",
    )
    return customer


def bj_files_ticket(api, customer, **extra):
    return post(
        api("staff_bj001"),
        "/api/v1/tickets",
        {
            "type": "fault_report",
            "channel": "store",
            "subject": "冰箱不制冷",
            "store": "BJ001",
            "customer": {"name": "李四", "phone": customer.phone, **extra},
        },
    )


def test_a_mobile_number_typed_at_another_store_reveals_nothing(api, desk, sh_customer):
    r = bj_files_ticket(
        api, sh_customer, email="attacker@example.cn", address="北京市朝阳区某路1号"
    )
    assert r.status_code == 201, r.content
    body = r.json()
    # Linked to the customer on file (a chain shares customers) ...
    assert body["customer"]["id"] == sh_customer.id
    # ... but neither the name nor the honorific on file, nor the full mobile
    assert "欧阳" not in json.dumps(body, ensure_ascii=False)
    assert body["customer"]["phone"] != sh_customer.phone
    # nothing written onto the record on file
    sh_customer.refresh_from_db()
    assert sh_customer.email == "oym@example.cn" and sh_customer.address == ADDRESS
    # The customer page: visible (they filed a ticket here), but masked, no SH001 purchase
    client = api("staff_bj001")
    c = client.get(f"/api/v1/customers/{sh_customer.id}")
    assert c.status_code == 200
    text = c.content.decode()
    assert "欧阳" not in text and ADDRESS not in text and "oym@example.cn" not in text
    assert sh_customer.phone not in text
    assert client.get(f"/api/v1/customers/{sh_customer.id}/purchases").json() == []
    listed = client.get(f"/api/v1/customers?q={sh_customer.phone}").content.decode()
    assert "欧阳" not in listed
    ticket = client.get(f"/api/v1/tickets/{body['id']}").content.decode()
    assert "欧阳" not in ticket and sh_customer.phone not in ticket
    assert "欧阳" not in client.get("/api/v1/tickets").content.decode()
    # desk pages
    d = desk("staff_bj001")
    for url in (
        f"/desk/tickets/{body['id']}/",
        f"/desk/customers/{sh_customer.id}/",
        f"/desk/customers/?q={sh_customer.phone}",
        "/desk/",
    ):
        page = d.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "欧阳" not in html and ADDRESS not in html and "SN-SH-0001" not in html, url
        if "?q=" not in url:  # the search box shows what was typed
            assert sh_customer.phone not in html, url
    # The home store still sees everything
    full = api("staff_sh001").get(f"/api/v1/customers/{sh_customer.id}").json()
    assert full["name"] == "欧阳明" and full["address"] == ADDRESS


def test_the_anonymous_portal_cannot_write_onto_a_customer_on_file(chain):
    customer = CustomerFactory(email="", address="", home_store=chain["stores"]["SH001"])
    from kefu.customers.services import find_or_create_customer

    same = find_or_create_customer(
        actor=None, name="冒名者", phone=customer.phone, email="x@evil.cn", address="某地"
    )
    assert same.pk == customer.pk
    customer.refresh_from_db()
    assert customer.email == "" and customer.address == "" and customer.name != "冒名者"


def test_home_store_staff_still_fill_blank_details(chain, users):
    from kefu.customers.services import find_or_create_customer

    customer = CustomerFactory(email="", home_store=chain["stores"]["SH001"])
    find_or_create_customer(
        actor=users["staff_sh001"], name="张伟", phone=customer.phone, email="zw@example.cn"
    )
    customer.refresh_from_db()
    assert customer.email == "zw@example.cn"


@pytest.mark.parametrize("username", ["trainer", "qa"])
def test_trainer_and_qa_read_no_customer_and_no_contact(api, desk, chain, username):
    customer = CustomerFactory(home_store=chain["stores"]["SH001"])
    ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    client = api(username)
    assert client.get(f"/api/v1/customers/{customer.id}").status_code == 404
    assert client.get("/api/v1/customers").json()["count"] == 0
    detail = client.get(f"/api/v1/tickets/{ticket.id}")
    assert detail.status_code == 200
    assert customer.phone not in detail.content.decode()
    assert ADDRESS not in desk(username).get(f"/desk/tickets/{ticket.id}/").content.decode()


def test_technicians_see_their_area_and_jobs_and_change_only_their_jobs(api, chain, users):
    technician(users["technician"], stores=("SH001",))
    sh = open_ticket(chain["stores"]["SH001"])
    bj = open_ticket(chain["stores"]["BJ001"])
    client = api("technician")
    stores = {t["store"] for t in client.get("/api/v1/tickets?limit=100").json()["items"]}
    assert stores == {"SH001"}
    assert client.get(f"/api/v1/tickets/{bj.id}").status_code == 404
    # in the area but not assigned: visible, not theirs to answer
    r = post(client, f"/api/v1/tickets/{sh.id}/replies", {"body": "您好，我明天上门。"})
    assert r.status_code == 403
    # once assigned (taken), it is their job
    assert (
        post(client, f"/api/v1/tickets/{sh.id}/assign", {"assignee": "technician"}).status_code
        == 200
    )
    r = post(client, f"/api/v1/tickets/{sh.id}/replies", {"body": "您好，我明天上门。"})
    assert r.status_code == 201


def test_store_staff_cannot_escalate_past_the_store_manager(api, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    staff = api("staff_sh001")
    r = post(staff, f"/api/v1/tickets/{ticket.id}/escalate", {"reason": "请店长处理"})
    assert r.status_code == 200 and r.json()["escalation_tier"] == "store_manager"
    r = post(staff, f"/api/v1/tickets/{ticket.id}/escalate", {"reason": "再升级"})
    assert r.status_code == 403
    ticket.refresh_from_db()
    assert ticket.escalation_tier == "store_manager"
    r = post(api("manager_sh001"), f"/api/v1/tickets/{ticket.id}/escalate", {"reason": "区域协调"})
    assert r.json()["escalation_tier"] == "regional_manager"


# ------------------------------------------------------------------ data rights


def test_export_holds_everything_and_is_audited(api, desk, chain, sh_customer):
    from kefu.customers.models import PiiReveal
    from kefu.tickets import services

    ticket = open_ticket(chain["stores"]["SH001"], customer=sh_customer, description="门牌301")
    services.add_reply(actor=chain["users"]["cs_agent"], ticket=ticket, body="您好，已安排。")
    r = api("cs_manager").get(f"/api/v1/customers/{sh_customer.id}/export")
    assert r.status_code == 200
    data = r.json()
    assert data["profile"]["address"] == ADDRESS and data["profile"]["mobile"] == sh_customer.phone
    assert data["purchases"][0]["serial"] == "SN-SH-0001"
    assert data["tickets"][0]["number"] == ticket.number
    assert any(e["body"] == "您好，已安排。" for e in data["tickets"][0]["timeline"])
    assert {"surveys", "followups", "compensation"} <= set(data["feedback"])
    assert "service_orders" in data["aftersales"]
    assert any(a["fields"] == "export" for a in data["audit"])
    assert PiiReveal.objects.filter(customer=sh_customer, fields="export").exists()
    page = desk("cs_manager").get(f"/desk/customers/{sh_customer.id}/export/")
    assert page.status_code == 200 and ADDRESS in page.content.decode()


@pytest.mark.parametrize("username", sorted(set(ROLES) - {"cs_manager", "admin"}))
def test_export_and_erase_need_the_right(api, chain, sh_customer, username):
    client = api(username)
    r = client.get(f"/api/v1/customers/{sh_customer.id}/export")
    assert r.status_code in (403, 404)
    r = post(client, f"/api/v1/customers/{sh_customer.id}/erase", {"confirm": True, "reason": "x"})
    assert r.status_code in (403, 404)
    sh_customer.refresh_from_db()
    assert sh_customer.erased_at is None


def test_erase_without_confirm_is_422(api, sh_customer):
    r = post(api("cs_manager"), f"/api/v1/customers/{sh_customer.id}/erase", {"reason": "本人申请"})
    assert r.status_code == 422
    sh_customer.refresh_from_db()
    assert sh_customer.erased_at is None


def test_erase_scrubs_contact_text_and_search_but_keeps_statistics(api, chain, sh_customer):
    from kefu.customers.models import PiiReveal
    from kefu.tickets import selectors, services

    ticket = open_ticket(
        chain["stores"]["SH001"],
        customer=sh_customer,
        subject="欧阳明的冰箱",
        description="住301室",
    )
    services.add_reply(actor=chain["users"]["cs_agent"], ticket=ticket, body="欧阳女士您好")
    client = api("cs_manager")
    assert client.get("/api/v1/tickets?q=欧阳明").json()["count"] == 1
    r = post(
        client,
        f"/api/v1/customers/{sh_customer.id}/erase",
        {"confirm": True, "reason": "本人申请删除"},
    )
    assert r.status_code == 200, r.content
    sh_customer.refresh_from_db()
    assert sh_customer.phone is None and sh_customer.address == "" and sh_customer.email == ""
    assert "欧阳" not in sh_customer.name and sh_customer.erased_at is not None
    ticket.refresh_from_db()
    assert "欧阳" not in ticket.subject and ticket.description == ""
    assert "欧阳" not in ticket.search_text
    assert all("欧阳" not in e.body for e in ticket.events.all())
    assert ticket.events.filter(kind="erased").exists()
    assert client.get("/api/v1/tickets?q=欧阳明").json()["count"] == 0
    # statistics and money stay
    assert ticket.status and ticket.created_at
    assert sh_customer.purchases.get().price > 0
    assert PiiReveal.objects.filter(customer=sh_customer, fields="erase").exists()
    # irreversible and idempotent
    again = post(
        client, f"/api/v1/customers/{sh_customer.id}/erase", {"confirm": True, "reason": "再次"}
    )
    assert again.status_code == 200 and again.json()["counts"] == {"customer": 0}
    assert selectors.tickets_visible_to(chain["users"]["cs_manager"]).filter(pk=ticket.pk).exists()


def test_retention_anonymises_the_long_inactive_only_and_dry_run_changes_nothing(chain):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from kefu.customers import datarights, tasks
    from kefu.customers.models import Customer

    old = CustomerFactory()
    recent = CustomerFactory()
    long_ago = timezone.now() - datetime.timedelta(days=365 * 4)
    Customer.objects.filter(pk=old.pk).update(updated_at=long_ago, created_at=long_ago)
    from io import StringIO

    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    report = json.loads(out.getvalue())
    assert report["customers"] == 1 and report["ids"] == [old.pk] and report["dry_run"]
    old.refresh_from_db()
    assert old.erased_at is None
    tasks.apply_retention.call_local()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.erased_at is not None and old.phone is None
    assert recent.erased_at is None
    assert datarights.apply_retention()["customers"] == 0  # idempotent
