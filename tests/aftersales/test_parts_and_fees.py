"""Spare parts, the limits sweep, fees and payments, and the warranty card (issue 15)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.aftersales import fees, payments, selectors, services, stock
from kefu.aftersales.models import (
    Part,
    StockLevel,
    StockMove,
    Warehouse,
    WarehouseKind,
    WarrantyRecord,
)
from kefu.catalog.models import ProductModel
from kefu.errors import Conflict, Forbidden, InvalidInput
from kefu.notifications.models import Notification
from kefu.tickets.models import TicketEvent
from tests.factories import CategoryFactory, open_ticket, purchase_bought, technician

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def parts(chain, users):
    category = CategoryFactory(code="refrigerator")
    fridge = ProductModel.objects.create(
        category=category, brand="骏和", code="BCD-470", name="对开门冰箱"
    )
    compressor = Part.objects.create(
        product_model=fridge,
        code="P-CMP-470",
        name="压缩机",
        is_main_part=True,
        main_part="压缩机",
        price=Decimal("680.00"),
    )
    shelf = Part.objects.create(
        product_model=fridge, code="P-SHF-470", name="冷藏层搁架", price=Decimal("45.50")
    )
    technician(users["technician"], skills=("refrigerator",), regions=("east",))
    cs = Warehouse.objects.create(code="cs", name="客服部仓库", kind=WarehouseKind.CS)
    van = Warehouse.objects.create(
        code="van-tech",
        name="技师车载库存",
        kind=WarehouseKind.VAN,
        technician=users["technician"].staff,
    )
    StockLevel.objects.create(warehouse=cs, part=compressor, quantity=5)
    StockLevel.objects.create(warehouse=van, part=shelf, quantity=1)
    return {"model": fridge, "compressor": compressor, "shelf": shelf, "cs": cs, "van": van}


def visit_for(users, days_ago=100):
    purchase = purchase_bought(days_ago, serial="SN-470-0001")
    ticket = open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    visit = services.dispatch_visit(
        actor=users["cs_agent"],
        ticket=ticket,
        kind="repair",
        date=timezone.localdate() + datetime.timedelta(days=1),
        window="09-12",
        technician="technician",
    )
    return ticket, visit, purchase


# --------------------------------------------------------------------------- stock


def test_a_visit_uses_the_last_part_and_the_next_taker_is_refused(parts, users):
    ticket, visit, _purchase = visit_for(users)
    tech = users["technician"]
    stock.consume_parts(actor=tech, visit=visit, part=parts["shelf"], quantity=1)
    assert StockLevel.objects.get(warehouse=parts["van"], part=parts["shelf"]).quantity == 0
    visit.refresh_from_db()
    assert visit.parts_used == [{"name": "冷藏层搁架", "code": "P-SHF-470", "quantity": 1}]
    assert TicketEvent.objects.filter(ticket=ticket, kind="parts_used").count() == 1
    with pytest.raises(Conflict) as refused:
        stock.consume_parts(actor=tech, visit=visit, part=parts["shelf"], quantity=1)
    assert "冷藏层搁架" in refused.value.text() and "0" in refused.value.text()
    assert StockLevel.objects.get(warehouse=parts["van"], part=parts["shelf"]).quantity == 0


def test_below_zero_only_by_a_recorded_override_of_the_cs_department(parts, users):
    ticket, visit, _purchase = visit_for(users)
    with pytest.raises(Forbidden):
        stock.consume_parts(
            actor=users["technician"],
            visit=visit,
            part=parts["compressor"],
            quantity=1,
            override=True,
            note="急修",
        )
    with pytest.raises(InvalidInput):  # an override needs a reason
        stock.consume_parts(
            actor=users["cs_manager"],
            visit=visit,
            part=parts["compressor"],
            quantity=2,
            warehouse=parts["van"],
            override=True,
        )
    stock.consume_parts(
        actor=users["cs_manager"],
        visit=visit,
        part=parts["compressor"],
        quantity=2,
        warehouse=parts["van"],
        override=True,
        note="配件在途，先用备件",
    )
    level = StockLevel.objects.get(warehouse=parts["van"], part=parts["compressor"])
    assert level.quantity == -2
    move = StockMove.objects.get(kind="consume", part=parts["compressor"])
    assert move.override and move.note == "配件在途，先用备件"


def test_transfer_moves_stock_and_a_technician_only_from_their_van(parts, users):
    stock.transfer_parts(
        actor=users["cs_manager"],
        part=parts["compressor"],
        source=parts["cs"],
        target=parts["van"],
        quantity=2,
    )
    assert StockLevel.objects.get(warehouse=parts["cs"], part=parts["compressor"]).quantity == 3
    assert StockLevel.objects.get(warehouse=parts["van"], part=parts["compressor"]).quantity == 2
    with pytest.raises(Forbidden):
        stock.transfer_parts(
            actor=users["technician"],
            part=parts["compressor"],
            source=parts["cs"],
            target=parts["van"],
            quantity=1,
        )
    with pytest.raises(Forbidden):
        stock.receive_parts(
            actor=users["staff_sh001"], warehouse=parts["cs"], part=parts["shelf"], quantity=3
        )


def test_a_received_part_counts_its_wait_towards_r_parts(parts, users):
    ticket, _visit, purchase = visit_for(users)
    request = stock.request_part(
        actor=users["technician"],
        ticket=ticket,
        part=parts["compressor"],
        deliver_to=parts["van"],
        purchase=purchase,
    )
    request.requested_on = timezone.localdate() - datetime.timedelta(days=12)
    request.save()
    stock.receive_requested_part(actor=users["technician"], request=request)
    assert WarrantyRecord.objects.get(purchase=purchase).parts_wait_days == 12
    assert StockLevel.objects.get(warehouse=parts["van"], part=parts["compressor"]).quantity == 1
    with pytest.raises(Conflict):
        stock.receive_requested_part(actor=users["technician"], request=request)
    card = selectors.warranty_card(purchase)
    assert card["parts_wait_days"] == 12


def test_the_sweep_warns_before_the_parts_limit_once(parts, users):
    ticket, _visit, purchase = visit_for(users)
    request = stock.request_part(
        actor=users["technician"],
        ticket=ticket,
        part=parts["compressor"],
        deliver_to=parts["van"],
        purchase=purchase,
    )
    today = timezone.localdate()
    assert stock.warn_limits(today + datetime.timedelta(days=70)) == 0  # fridge: 90 days
    assert stock.warn_limits(today + datetime.timedelta(days=81)) == 1
    note = Notification.objects.get(kind="parts_limit")
    assert "压缩机" in note.text and note.ticket_id == ticket.pk
    assert stock.warn_limits(today + datetime.timedelta(days=85)) == 0  # warned once
    request.refresh_from_db()
    assert request.warned_on == today + datetime.timedelta(days=81)


def test_phones_are_warned_against_the_60_day_limit(parts, users):
    purchase = purchase_bought(30, category="mobile_phone")
    ticket = open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    stock.request_part(
        actor=users["technician"],
        ticket=ticket,
        part=parts["shelf"],
        deliver_to=parts["van"],
        purchase=purchase,
    )
    assert stock.warn_limits(timezone.localdate() + datetime.timedelta(days=51)) == 1


def test_concurrent_takers_of_the_last_part_one_wins(parts, users):
    """Plain-thread version of the PostgreSQL test below for SQLite's serialised writes."""
    _ticket, visit, _purchase = visit_for(users)
    results = []
    for _ in range(2):
        try:
            results.append(
                stock.consume_parts(
                    actor=users["technician"], visit=visit, part=parts["shelf"], quantity=1
                )
            )
        except Conflict as exc:
            results.append(exc)
    assert sum(isinstance(r, StockMove) for r in results) == 1


# --------------------------------------------------------------------------- fees


def test_fee_from_the_schedule():
    q = fees.quote("air_conditioner", "repair", distance_km=25)
    assert q.labour == Decimal("100.00") and q.callout == Decimal("30.00")
    assert q.total == Decimal("130.00")
    parts = [fees.PartLine("P1", "电容", Decimal("12.35"), 2)]
    assert fees.quote("unknown_category", "repair", distance_km=5, parts=parts).total == Decimal(
        "84.70"
    )
    assert fees.quote("air_conditioner", "repair", free=True).total == Decimal("0.00")
    with pytest.raises(fees.FeeError):
        fees.quote("tv", "polish")


def test_quote_endpoint_answers_the_fee(api):
    r = api("cs_agent").get(
        "/api/v1/aftersales/fees/quote?category=refrigerator&job=main_part_repair&distance_km=45"
    )
    assert r.status_code == 200, r.content
    assert r.json()["total"] == "210.00" and r.json()["labour"] == "150.00"
    r = api("cs_agent").get("/api/v1/aftersales/fees/quote?category=tv&job=polish")
    assert r.status_code == 422 and r.json()["field"] == "job"


def test_nothing_is_charged_inside_the_free_period(parts, users):
    ticket, visit, _purchase = visit_for(users, days_ago=100)  # fridge, in warranty
    quote = payments.propose_quote(actor=users["technician"], ticket=ticket, job="repair")
    assert quote.free and quote.total == Decimal("0.00")
    payments.decide_quote(
        actor=users["technician"], quote=quote, accept=True, via="visit", accepted_by="张伟"
    )
    quote.refresh_from_db()
    with pytest.raises(Conflict):
        payments.record_payment(
            actor=users["technician"],
            ticket=ticket,
            kind="payment",
            method="cash",
            amount="80.00",
            receipt_number="R-1",
            quote=quote,
        )


def test_a_paid_repair_is_quoted_accepted_and_paid(parts, users, api):
    purchase = purchase_bought(800, serial="SN-OLD")  # out of warranty
    ticket = open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    r = post(
        api("cs_agent"),
        f"/api/v1/aftersales/tickets/{ticket.pk}/quotes",
        {"job": "main_part_repair", "distance_km": 12, "parts": [{"part": parts["compressor"].pk}]},
    )
    assert r.status_code == 201, r.content
    quote = r.json()
    assert quote["free"] is False and quote["total"] == "860.00"  # 150 + 30 + 680
    r = post(
        api("cs_agent"),
        f"/api/v1/aftersales/tickets/{ticket.pk}/payments",
        {"method": "wechat", "amount": "860.00", "receipt_number": "WX-1", "quote_id": quote["id"]},
    )
    assert r.status_code == 409  # not accepted yet
    r = post(
        api("cs_agent"),
        f"/api/v1/aftersales/quotes/{quote['id']}/decision",
        {"accept": True, "accepted_by": "张伟"},
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = post(
        api("cs_agent"),
        f"/api/v1/aftersales/tickets/{ticket.pk}/payments",
        {"method": "wechat", "amount": "860.00", "receipt_number": "WX-1", "quote_id": quote["id"]},
    )
    assert r.status_code == 201, r.content
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {"quote_proposed", "quote_accepted", "payment_recorded"} <= set(kinds)
    r = post(
        api("cs_agent"),
        f"/api/v1/aftersales/tickets/{ticket.pk}/payments",
        {"method": "cash", "amount": "1.005", "receipt_number": "X", "kind": "refund"},
    )
    assert r.status_code == 422 and r.json()["field"] == "amount"


def test_payments_outside_scope_are_404(parts, users, api):
    purchase = purchase_bought(800)
    ticket = open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    quote = payments.propose_quote(actor=users["cs_agent"], ticket=ticket, job="repair")
    assert (
        post(
            api("staff_bj001"), f"/api/v1/aftersales/tickets/{ticket.pk}/quotes", {"job": "repair"}
        ).status_code
        == 404
    )
    assert (
        post(
            api("staff_bj001"),
            f"/api/v1/aftersales/quotes/{quote.pk}/decision",
            {"accept": True, "accepted_by": "x"},
        ).status_code
        == 404
    )


# --------------------------------------------------------------------------- parts API


def test_parts_of_a_model_and_their_stock(parts, api, django_assert_max_num_queries):
    client = api("cs_agent")
    r = client.get("/api/v1/parts?model=BCD-470")
    assert r.status_code == 200
    assert [p["code"] for p in r.json()] == ["P-CMP-470", "P-SHF-470"]
    assert r.json()[0]["is_main_part"] and r.json()[0]["price"] == "680.00"
    assert client.get("/api/v1/parts?model=NOPE").json() == []
    r = client.get(f"/api/v1/parts/{parts['compressor'].pk}/stock")
    assert r.json()["total"] == 5 and r.json()["stock"][0]["warehouse"] == "cs"
    assert client.get("/api/v1/parts/999999/stock").status_code == 404
    for extra in range(10):
        Part.objects.create(
            product_model=parts["model"], code=f"P-X{extra}", name="门封条", price=Decimal("9.90")
        )
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/parts?model=BCD-470").json()) == 12


def test_parts_are_not_for_the_qa_monitor(parts, api):
    assert api("qa").get("/api/v1/parts").json() == []
    assert api("qa").get(f"/api/v1/parts/{parts['shelf'].pk}/stock").status_code == 404


def test_consuming_through_the_api_is_scoped(parts, users, api):
    _ticket, visit, _purchase = visit_for(users)
    body = {"part": parts["shelf"].pk, "quantity": 1}
    r = post(api("staff_bj001"), f"/api/v1/aftersales/visits/{visit.pk}/parts", body)
    assert r.status_code == 404
    r = post(api("technician"), f"/api/v1/aftersales/visits/{visit.pk}/parts", body)
    assert r.status_code == 201, r.content
    r = post(api("technician"), f"/api/v1/aftersales/visits/{visit.pk}/parts", body)
    assert r.status_code == 409


# --------------------------------------------------------------------------- warranty card


def test_warranty_card_by_serial_is_scoped(parts, users, api):
    purchase = purchase_bought(100, serial="SN-470-0009")
    open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    r = api("cs_agent").get("/api/v1/warranty/SN-470-0009")
    assert r.status_code == 200, r.content
    card = r.json()
    assert card["warranty_months"] == 12 and card["days_left"] > 200
    assert card["main_part_days_left"] > card["days_left"]
    assert api("staff_bj001").get("/api/v1/warranty/SN-470-0009").status_code == 404
    assert api("cs_agent").get("/api/v1/warranty/NOPE").status_code == 404


def test_portal_lookup_needs_the_matching_mobile(parts, client):
    purchase = purchase_bought(100, serial="SN-470-0010")
    r = client.post("/warranty/", {"serial": "SN-470-0010", "mobile": "13900000000"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "BCD-470WDPG" not in body and "SN-470-0010" not in body.split("<form")[0]
    r = client.post("/warranty/", {"serial": "SN-470-0010", "mobile": purchase.customer.phone})
    assert r.status_code == 200
    assert "BCD-470WDPG" in r.content.decode()


# --------------------------------------------------------------------------- desk and tracking page


def test_parts_page_lists_stock_and_receives_parts(parts, desk, django_assert_max_num_queries):
    client = desk("cs_manager")
    r = client.get("/desk/aftersales/parts/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "压缩机" in page and "客服部仓库" in page
    for extra in range(10):
        Part.objects.create(
            product_model=parts["model"], code=f"P-Y{extra}", name="门封条", price=Decimal("9.90")
        )
    with django_assert_max_num_queries(20):
        assert client.get("/desk/aftersales/parts/").status_code == 200
    r = client.post(
        "/desk/aftersales/parts/moves/",
        {"part": parts["shelf"].pk, "quantity": "4", "target": "cs", "action": "receive"},
    )
    assert r.status_code == 302
    assert StockLevel.objects.get(warehouse=parts["cs"], part=parts["shelf"]).quantity == 4
    r = client.post(
        "/desk/aftersales/parts/moves/",
        {
            "part": parts["shelf"].pk,
            "quantity": "9",
            "source": "cs",
            "target": "van-tech",
            "action": "transfer",
        },
    )
    assert r.status_code == 409 and "冷藏层搁架" in r.content.decode()


def test_parts_pages_are_closed_to_those_without_the_right(parts, desk):
    assert desk("qa").get("/desk/aftersales/parts/").status_code == 404
    r = desk("staff_sh001").post(
        "/desk/aftersales/parts/moves/",
        {"part": parts["shelf"].pk, "quantity": "4", "target": "cs", "action": "receive"},
    )
    assert r.status_code == 403
    assert StockLevel.objects.get(warehouse=parts["van"], part=parts["shelf"]).quantity == 1


def test_desk_warranty_lookup_is_scoped(parts, desk):
    from kefu.org.models import Store

    # sold at SH001: its staff see the card, another store's do not (purchases are scoped by
    # the store that sold them)
    purchase = purchase_bought(100, serial="SN-DESK-1", store=Store.objects.get(code="SH001"))
    open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    r = desk("staff_sh001").get("/desk/aftersales/warranty/?serial=SN-DESK-1")
    assert r.status_code == 200 and "BCD-470WDPG" in r.content.decode()
    r = desk("staff_bj001").get("/desk/aftersales/warranty/?serial=SN-DESK-1")
    assert r.status_code == 404 and "BCD-470WDPG" not in r.content.decode()


def test_the_customer_accepts_a_quote_on_the_tracking_page(parts, users, client):
    purchase = purchase_bought(800)
    ticket = open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    quote = payments.propose_quote(
        actor=users["cs_agent"], ticket=ticket, job="repair", distance_km=40
    )
    page = client.get(f"/t/{ticket.tracking_token}/").content.decode()
    assert "¥140.00" in page  # 80 labour + 60 call-out
    r = client.post(f"/t/{ticket.tracking_token}/quotes/{quote.pk}/", {"accept": "1"})
    assert r.status_code == 302
    quote.refresh_from_db()
    assert quote.status == "accepted" and quote.accepted_via == "tracking"
    assert "¥140.00" not in client.get(f"/t/{ticket.tracking_token}/").content.decode()
    assert client.post(f"/t/wrong-token/quotes/{quote.pk}/", {"accept": "1"}).status_code == 404


def test_an_old_part_goes_back_to_the_cs_warehouse(parts, users):
    ticket, visit, _purchase = visit_for(users)
    move = stock.return_old_part(actor=users["technician"], visit=visit, part=parts["compressor"])
    assert move.kind == "old_return" and move.target == parts["cs"]
    assert TicketEvent.objects.filter(ticket=ticket, kind="old_part_returned").exists()


def test_the_sweep_warns_before_the_repairer_limit(parts, users):
    purchase = purchase_bought(100)
    ticket = open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    order = services.create_order(actor=users["cs_agent"], ticket=ticket, remedy="repair")
    services.change_order_status(actor=users["cs_agent"], order=order, status="approved")
    services.change_order_status(actor=users["cs_agent"], order=order, status="in_progress")
    today = timezone.localdate()
    assert stock.warn_limits(today + datetime.timedelta(days=15)) == 0
    assert stock.warn_limits(today + datetime.timedelta(days=21)) >= 1
    assert Notification.objects.filter(kind="repairer_limit", ticket=ticket).exists()
    assert stock.warn_limits(today + datetime.timedelta(days=25)) == 0


def test_the_visit_page_takes_parts_quotes_records_the_answer_and_the_payment(parts, users, desk):
    """Desk: parts used on the visit from the van, the quote from the schedule (with those
    parts), the customer's acceptance on the visit, then the payment."""
    purchase = purchase_bought(800, serial="SN-OLD-2")  # out of warranty: a paid repair
    ticket = open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    visit = services.dispatch_visit(
        actor=users["cs_agent"],
        ticket=ticket,
        kind="repair",
        date=timezone.localdate() + datetime.timedelta(days=1),
        window="09-12",
        technician="technician",
    )
    client = desk("technician")
    url = f"/desk/aftersales/visits/{visit.pk}/fees/"
    page = client.get(f"/desk/aftersales/visits/{visit.pk}/").content.decode()
    assert 'data-testid="visit-fees"' in page and "P-SHF-470" in page
    assert (
        client.post(
            url, {"action": "use_part", "part": parts["shelf"].pk, "quantity": 1}
        ).status_code
        == 302
    )
    assert StockLevel.objects.get(warehouse=parts["van"], part=parts["shelf"]).quantity == 0
    # The van is empty now: a clear refusal, nothing changes.
    r = client.post(url, {"action": "use_part", "part": parts["shelf"].pk, "quantity": 1})
    assert r.status_code == 409 and StockMove.objects.filter(visit=visit).count() == 1
    r = client.post(url, {"action": "quote", "job": "repair", "distance_km": "12"})
    assert r.status_code == 302
    quote = visit.quotes.get()
    assert (
        quote.total
        == fees.quote(
            "refrigerator",
            "repair",
            distance_km=12,
            parts=[fees.PartLine("P-SHF-470", "冷藏层搁架", Decimal("45.50"), 1)],
        ).total
    )
    r = client.post(
        url, {"action": "pay", "quote": quote.pk, "method": "wechat", "receipt_number": "WX-9"}
    )
    assert r.status_code == 409  # not accepted yet
    r = client.post(url, {"action": "accept", "quote": quote.pk, "accepted_by": "张伟"})
    assert r.status_code == 302
    r = client.post(
        url, {"action": "pay", "quote": quote.pk, "method": "wechat", "receipt_number": "WX-9"}
    )
    assert r.status_code == 302
    page = client.get(f"/desk/aftersales/visits/{visit.pk}/").content.decode()
    assert "WX-9" in page and "张伟" in page
    # Another store's staff cannot reach the visit at all.
    assert desk("staff_bj001").post(url, {"action": "quote", "job": "repair"}).status_code == 404
