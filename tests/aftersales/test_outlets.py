"""Partner service outlets (their own scope) and warranty claims to the manufacturer."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.aftersales import outlets, services, stock
from kefu.aftersales.models import (
    OutletKind,
    OutletMember,
    Part,
    ServiceOutlet,
    StockLevel,
    Warehouse,
    WarehouseKind,
)
from kefu.catalog.models import ProductModel
from kefu.errors import Conflict, Forbidden, InvalidInput
from kefu.org.models import Region
from kefu.org.roles import Role
from tests.factories import (
    CategoryFactory,
    StaffFactory,
    UserFactory,
    open_ticket,
    purchase_bought,
)

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def member(outlet, username, role, users):
    user = UserFactory(username=username)
    staff = StaffFactory(user=user, role=role, display_name=username)
    OutletMember.objects.create(outlet=outlet, staff=staff)
    users[username] = user  # so the desk fixture can log them in
    return user


@pytest.fixture
def outlet_pair(chain, users):
    fridge = CategoryFactory(code="refrigerator")
    made = {}
    for code, region in (("east-svc", "east"), ("north-svc", "north")):
        outlet = ServiceOutlet.objects.create(
            code=code, name=f"{code}网点", kind=OutletKind.PARTNER
        )
        outlet.regions.set(Region.objects.filter(code=region))
        outlet.categories.set([fridge])
        made[code] = {
            "outlet": outlet,
            "manager": member(outlet, f"{code}-mgr", Role.OUTLET_MANAGER, users),
            "tech": member(outlet, f"{code}-tech", Role.OUTLET_TECHNICIAN, users),
        }
    return made


def fridge_ticket(store="SH001", days_ago=100):
    purchase = purchase_bought(days_ago)
    return open_ticket(store, customer=purchase.customer, purchase_id=purchase.pk)


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def test_a_job_goes_to_an_outlet_that_serves_the_region(outlet_pair, users):
    ticket = fridge_ticket("SH001")
    with pytest.raises(InvalidInput):
        outlets.dispatch_to_outlet(
            actor=users["cs_agent"],
            ticket=ticket,
            outlet=outlet_pair["north-svc"]["outlet"],
            kind="repair",
        )
    job = outlets.dispatch_to_outlet(
        actor=users["cs_agent"],
        ticket=ticket,
        outlet=outlet_pair["east-svc"]["outlet"],
        kind="repair",
    )
    assert job.category.code == "refrigerator" and job.status == "dispatched"
    with pytest.raises(Forbidden):
        outlets.dispatch_to_outlet(
            actor=users["staff_sh001"], ticket=ticket, outlet=job.outlet, kind="repair"
        )


def test_the_outlet_books_its_own_technician_and_sees_only_its_jobs(outlet_pair, users, api):
    north = outlet_pair["north-svc"]
    ticket = fridge_ticket("SH001")
    r = post(
        api("cs_agent"),
        f"/api/v1/aftersales/tickets/{ticket.pk}/outlet-jobs",
        {"outlet": "east-svc", "kind": "repair", "symptom": "不制冷"},
    )
    assert r.status_code == 201, r.content
    job_id = r.json()["id"]
    # The other outlet's people cannot see, list or book it.
    assert api("north-svc-mgr").get("/api/v1/aftersales/outlet-jobs").json() == []
    body = {"technician": "north-svc-tech", "date": tomorrow().isoformat(), "window": "09-12"}
    r = post(api("north-svc-mgr"), f"/api/v1/aftersales/outlet-jobs/{job_id}/assign", body)
    assert r.status_code == 404
    # Its own manager cannot book another outlet's technician.
    r = post(api("east-svc-mgr"), f"/api/v1/aftersales/outlet-jobs/{job_id}/assign", body)
    assert r.status_code == 422 and r.json()["field"] == "technician"
    body["technician"] = "east-svc-tech"
    r = post(api("east-svc-mgr"), f"/api/v1/aftersales/outlet-jobs/{job_id}/assign", body)
    assert r.status_code == 200, r.content
    visit_id = r.json()["visit"]
    assert r.json()["technician"] == "east-svc-tech"
    # The outlet's technician sees the visit; the other outlet's technician does not.
    assert api("east-svc-tech").get("/api/v1/aftersales/visits").json()[0]["id"] == visit_id
    assert api("north-svc-tech").get("/api/v1/aftersales/visits").json() == []
    r = post(
        api("north-svc-tech"),
        f"/api/v1/aftersales/visits/{visit_id}/record",
        {"outcome": "fixed"},
    )
    assert r.status_code == 404
    # Outlet people see no tickets through the general desk scope.
    assert api("east-svc-mgr").get(f"/api/v1/tickets/{ticket.pk}").status_code == 404
    assert north  # both outlets exist


def test_outlet_jobs_page_is_scoped(outlet_pair, users, desk, django_assert_max_num_queries):
    for _ in range(5):
        outlets.dispatch_to_outlet(
            actor=users["cs_agent"],
            ticket=fridge_ticket("SH001"),
            outlet=outlet_pair["east-svc"]["outlet"],
            kind="repair",
        )
    page = desk("east-svc-mgr").get("/desk/aftersales/outlet-jobs/")
    assert page.status_code == 200 and page.content.decode().count("data-job=") == 5
    assert (
        desk("north-svc-mgr")
        .get("/desk/aftersales/outlet-jobs/")
        .content.decode()
        .count("data-job=")
        == 0
    )
    assert desk("qa").get("/desk/aftersales/outlet-jobs/").status_code == 404
    client = desk("east-svc-mgr")
    with django_assert_max_num_queries(16):
        client.get("/desk/aftersales/outlet-jobs/")


def test_a_free_repair_is_claimed_from_the_manufacturer(chain, users, api, desk):
    fridge = ProductModel.objects.create(
        category=CategoryFactory(code="refrigerator"), brand="骏和", code="BCD-9", name="冰箱"
    )
    compressor = Part.objects.create(
        product_model=fridge, code="P-9", name="压缩机", is_main_part=True, price=Decimal("680.00")
    )
    from tests.factories import technician

    technician(users["technician"], skills=("refrigerator",), regions=("east",))
    van = Warehouse.objects.create(
        code="van", name="车载", kind=WarehouseKind.VAN, technician=users["technician"].staff
    )
    StockLevel.objects.create(warehouse=van, part=compressor, quantity=1)
    ticket = fridge_ticket("SH001")
    visit = services.dispatch_visit(
        actor=users["cs_agent"],
        ticket=ticket,
        kind="repair",
        date=tomorrow(),
        window="09-12",
        technician="technician",
    )
    stock.consume_parts(actor=users["technician"], visit=visit, part=compressor, quantity=1)
    with pytest.raises(Conflict):  # not done yet
        outlets.create_claim(actor=users["cs_manager"], visit=visit)
    services.record_visit(actor=users["technician"], visit=visit, outcome="fixed")
    r = post(api("cs_manager"), f"/api/v1/aftersales/visits/{visit.pk}/claim", {})
    assert r.status_code == 201, r.content
    claim = r.json()
    assert claim["brand"] == "骏和" and claim["labour"] == "150.00" and claim["total"] == "830.00"
    assert (
        post(api("cs_manager"), f"/api/v1/aftersales/visits/{visit.pk}/claim", {}).status_code
        == 409
    )
    r = post(
        api("cs_manager"), f"/api/v1/aftersales/claims/{claim['id']}/status", {"status": "paid"}
    )
    assert r.status_code == 409
    r = post(
        api("cs_manager"),
        f"/api/v1/aftersales/claims/{claim['id']}/status",
        {"status": "submitted"},
    )
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert (
        post(api("cs_agent"), f"/api/v1/aftersales/visits/{visit.pk}/claim", {}).status_code == 403
    )
    month = claim["month"]
    csv = desk("cs_manager").get(f"/desk/aftersales/claims/statement.csv?month={month}")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "骏和" in text and "830.00" in text
    assert desk("cs_agent").get("/desk/aftersales/claims/").status_code == 404


def test_outlet_people_see_only_their_own_links(outlet_pair, desk):
    client = desk("east-svc-tech")
    # The queue is not theirs: they land on their outlet's jobs.
    r = client.get("/desk/")
    assert r.status_code == 302 and r["Location"] == "/desk/aftersales/outlet-jobs/"
    page = client.get("/desk/aftersales/outlet-jobs/").content.decode()
    nav = page.split('<nav id="desk-nav"', 1)[1].split("</nav>", 1)[0]
    assert "/desk/aftersales/outlet-jobs/" in nav and "/desk/aftersales/parts/" in nav
    for general in ("?view=open", "?view=mine", "/desk/quality/", "/desk/aftersales/visits/"):
        assert general not in nav, general
    assert 'role="search"' not in page
    assert client.get("/desk/quality/").status_code == 403
    # An in-house agent keeps the queue and their quality page.
    agent_nav = desk("cs_agent").get("/desk/").content.decode()
    assert "?view=open" in agent_nav and "/desk/quality/" in agent_nav
