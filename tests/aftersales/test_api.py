"""The after-sales API as a client sees it: the decision, orders and their timeline, scope."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.aftersales.models import ServiceOrder, WarrantyRecord
from kefu.aftersales.policy import adjudicate, parse_case, warranty_after_exchange
from kefu.catalog.models import WarrantyTerms
from kefu.catalog.terms import company_terms
from kefu.tickets.models import TicketEvent
from tests.factories import open_ticket, purchase_bought

pytestmark = pytest.mark.django_db

ISSUE_EXAMPLE = {
    "category": "refrigerator",
    "price": "3999.00",
    "sale_date": "2026-03-01",
    "request_date": "2026-03-05",
    "has_invoice": True,
    "has_warranty_card": True,
    "production_date": None,
    "channel": "store",
    "receipt_date": None,
    "fault": "performance",
    "part": None,
    "failed_repairs": 0,
    "repair_days": 0,
    "parts_wait_days": 0,
    "same_model_available": True,
    "wish": "return",
    "sample_unit_disclosed_defect": False,
    "goods_intact": True,
    "discontinued_date": None,
    "parts_available": True,
    "above_guide_price": False,
    "authorised_dealer": True,
    "reason": None,
}


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def today():
    return timezone.localdate()


# --------------------------------------------------------------------------- adjudicate


def test_adjudicate_answers_exactly_what_the_engine_decides(api, chain):
    r = post(
        api("cs_agent"),
        "/api/v1/aftersales/adjudicate",
        {**ISSUE_EXAMPLE, "customer_honorific": "张先生"},
    )
    assert r.status_code == 200, r.content
    expected = adjudicate(
        parse_case({**ISSUE_EXAMPLE, "customer_honorific": "张先生"}), company_terms("refrigerator")
    ).to_dict()
    assert r.json() == expected
    body = r.json()
    assert (
        body["remedies"][:3] == ["return", "exchange", "repair"] and body["recommended"] == "return"
    )
    assert body["refund"] == "3999.00" and body["depreciation_fee"] == "0.00"
    assert body["rules"][0]["id"] == "R-7D" and has_chinese(body["rules"][0]["reason"])
    assert body["script"].startswith("张先生您好")


@pytest.mark.parametrize("username", ["trainer", "qa", "technician", "staff_bj001", "region_north"])
def test_any_staff_role_may_adjudicate(api, chain, username):
    assert post(api(username), "/api/v1/aftersales/adjudicate", ISSUE_EXAMPLE).status_code == 200


def test_adjudicate_needs_credentials(client, chain):
    r = client.post(
        "/api/v1/aftersales/adjudicate",
        data=json.dumps(ISSUE_EXAMPLE),
        content_type="application/json",
    )
    assert r.status_code == 401


def test_adjudicate_stores_nothing(api, chain):
    before = (
        ServiceOrder.objects.count(),
        TicketEvent.objects.count(),
        WarrantyRecord.objects.count(),
    )
    post(api("cs_agent"), "/api/v1/aftersales/adjudicate", ISSUE_EXAMPLE)
    assert (
        ServiceOrder.objects.count(),
        TicketEvent.objects.count(),
        WarrantyRecord.objects.count(),
    ) == before


def test_omitted_fields_take_the_documented_defaults(api, chain):
    minimal = {k: ISSUE_EXAMPLE[k] for k in ("category", "price", "sale_date", "request_date")}
    r = post(api("cs_agent"), "/api/v1/aftersales/adjudicate", minimal)
    assert r.status_code == 200 and r.json()["recommended"] == "repair"  # wish "none": start modest


@pytest.mark.parametrize(
    ("patch", "field", "english"),
    [
        ({"category": "bicycle"}, "category", "unknown value"),
        ({"fault": "broken"}, "fault", "unknown value"),
        ({"surprise": 1}, "surprise", "unknown field"),
        ({"price": "-1"}, "price", "positive amount"),
        ({"price": "12.345"}, "price", "positive amount"),
        ({"sale_date": "2026-02-30"}, "sale_date", "must be a date"),
        ({"sale_date": "2026-03-09"}, "sale_date", "after request_date"),
        (
            {"has_invoice": False, "production_date": "2026-03-02"},
            "production_date",
            "after sale_date",
        ),
        ({"receipt_date": "2026-02-01"}, "receipt_date", "before sale_date"),
        ({"failed_repairs": -1}, "failed_repairs", "integer"),
        ({"part": "battery"}, "part", "not valid for refrigerator"),
        ({"request_date": None}, "request_date", "required"),
    ],
)
def test_bad_case_is_422_naming_the_field_in_chinese_and_in_english(
    api, chain, patch, field, english
):
    body = {**ISSUE_EXAMPLE, **patch}
    r = post(api("cs_agent"), "/api/v1/aftersales/adjudicate", body)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field and r.json()["code"] == "invalid"
    assert has_chinese(r.json()["detail"]) and field in r.json()["detail"]
    r = post(api("cs_agent"), "/api/v1/aftersales/adjudicate", body, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and r.json()["field"] == field
    assert english in r.json()["detail"] and not has_chinese(r.json()["detail"])


def test_a_body_that_is_not_a_json_object_is_422(api, chain):
    r = api("cs_agent").post(
        "/api/v1/aftersales/adjudicate", data="{nope", content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = post(api("cs_agent"), "/api/v1/aftersales/adjudicate", [1, 2])
    assert r.status_code == 422


def test_adjudicate_runs_on_the_company_terms_in_the_database(api, chain):
    late = {**ISSUE_EXAMPLE, "request_date": "2026-03-10"}  # day 9: past the statutory 7 days
    body = post(api("cs_agent"), "/api/v1/aftersales/adjudicate", late).json()
    assert (
        body["rules"][0]["id"] == "R-15D" and body["depreciation_fee"] != "0.00"
    )  # a return costs depreciation
    row = WarrantyTerms.objects.get(category__code="refrigerator")
    row.return_days = 10  # a kinder company policy
    row.save()
    body = post(api("cs_agent"), "/api/v1/aftersales/adjudicate", late).json()
    assert (
        body["rules"][0]["id"] == "R-7D"
        and body["refund"] == "3999.00"
        and body["depreciation_fee"] == "0.00"
    )


def test_a_category_without_a_terms_row_falls_back_to_the_shipped_data(api, chain):
    WarrantyTerms.objects.filter(category__code="tv").delete()
    case = {**ISSUE_EXAMPLE, "category": "tv"}
    r = post(api("cs_agent"), "/api/v1/aftersales/adjudicate", case)
    assert r.json() == adjudicate(parse_case(case), company_terms("tv")).to_dict()


def test_openapi_documents_the_case_body(client, chain):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/aftersales/adjudicate"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "failed_repairs" in json.dumps(schema)


# --------------------------------------------------------------------------- orders


def ticket_with_purchase(days_ago, *, store="SH001", type="fault_report", **kw):
    purchase = purchase_bought(days_ago, **kw)
    ticket = open_ticket(store, customer=purchase.customer, type=type, purchase_id=purchase.pk)
    return ticket, purchase


def events(ticket, kind):
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind).order_by("id"))


def test_ticket_decision_prefills_the_case_from_the_purchase(api, chain):
    ticket, purchase = ticket_with_purchase(10)
    r = api("cs_agent").get(f"/api/v1/aftersales/tickets/{ticket.pk}/decision")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["purchase_id"] == purchase.pk
    assert (
        body["case"]["sale_date"] == purchase.sale_date.isoformat()
        and body["case"]["price"] == "3999.00"
    )
    assert body["case"]["customer_honorific"] == purchase.customer.honorific
    assert [r["id"] for r in body["decision"]["rules"]][0] == "R-15D"


@pytest.mark.parametrize(
    ("name", "gender", "opening"),
    [
        ("王芳", "female", "王女士您好，"),
        ("李娜", "unknown", "李娜您好，"),
        ("Alexandra Montgomery-Fitzgerald", "unknown", "您好，"),
    ],
)
def test_the_script_greets_the_customer_once_by_name(api, chain, name, gender, opening):
    from tests.factories import CustomerFactory

    purchase = purchase_bought(30, customer=CustomerFactory(name=name, gender=gender))
    ticket = open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    script = (
        api("cs_agent")
        .get(f"/api/v1/aftersales/tickets/{ticket.pk}/decision")
        .json()["decision"]["script"]
    )
    assert script.startswith(opening) and "您好您好" not in script


def test_exchange_order_lifecycle_with_timeline_events_and_a_new_warranty(api, chain):
    ticket, purchase = ticket_with_purchase(10)
    client = api("cs_agent")
    r = post(
        client,
        f"/api/v1/aftersales/tickets/{ticket.pk}/orders",
        {"remedy": "exchange", "case": {"wish": "exchange"}},
    )
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["kind"] == "exchange" and order["status"] == "requested" and order["free"] is True
    assert order["next_statuses"] == ["approved", "cancelled"] and "R-15D" in order["rules"]
    created = events(ticket, "order_created")
    assert (
        len(created) == 1
        and created[0].data["order"] == order["id"]
        and created[0].data["kind"] == "exchange"
    )
    assert created[0].actor.username == "cs_agent" and order["number"] in created[0].body

    for status in ("approved", "in_progress", "done"):
        r = post(client, f"/api/v1/aftersales/orders/{order['id']}/status", {"status": status})
        assert r.status_code == 200, r.content
        assert r.json()["status"] == status
    moves = events(ticket, "order_status")
    assert [(e.data["previous"], e.data["status"]) for e in moves] == [
        ("requested", "approved"),
        ("approved", "in_progress"),
        ("in_progress", "done"),
    ]

    done = r.json()
    expected = warranty_after_exchange(today(), company_terms("refrigerator"))
    assert done["exchanged_on"] == today().isoformat()
    assert done["new_warranty"] == {
        "start": expected.start.isoformat(),
        "end": expected.end.isoformat(),
        "main_parts_end": expected.main_parts_end.isoformat(),
    }
    record = WarrantyRecord.objects.get(purchase=purchase)
    assert record.exchanged_on == today() and record.warranty_end == expected.end
    # R-RESTART: the next decision on this purchase counts from the exchange day.
    again = client.get(f"/api/v1/aftersales/tickets/{ticket.pk}/decision").json()
    assert again["case"]["sale_date"] == today().isoformat()
    assert again["decision"]["warranty"]["end"] == expected.end.isoformat()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ((), "done"),
        ((), "in_progress"),
        (("approved",), "requested"),
        (("cancelled",), "approved"),
        (("approved",), "approved"),
    ],
)
def test_invalid_transitions_are_refused_with_409_and_change_nothing(api, chain, path, status):
    ticket, _ = ticket_with_purchase(10)
    client = api("cs_agent")
    order = post(
        client, f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"}
    ).json()
    for step in path:
        assert (
            post(
                client, f"/api/v1/aftersales/orders/{order['id']}/status", {"status": step}
            ).status_code
            == 200
        )
    before = TicketEvent.objects.filter(ticket=ticket).count()
    r = post(client, f"/api/v1/aftersales/orders/{order['id']}/status", {"status": status})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert has_chinese(r.json()["detail"])
    assert TicketEvent.objects.filter(ticket=ticket).count() == before


def test_return_order_carries_the_refund_as_decimal(api, chain):
    ticket, _ = ticket_with_purchase(5, price="4999.50")
    r = post(
        api("cs_agent"), f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "return"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["refund"] == "4999.50" and r.json()["depreciation_fee"] == "0.00"
    order = ServiceOrder.objects.get(pk=r.json()["id"])
    assert order.refund == Decimal("4999.50") and isinstance(order.refund, Decimal)


def test_depreciated_return_charges_the_fee(api, chain):
    # Two failed repairs inside the period: an exchange is due; a return costs depreciation.
    ticket, _ = ticket_with_purchase(100)
    r = post(
        api("cs_agent"),
        f"/api/v1/aftersales/tickets/{ticket.pk}/orders",
        {"remedy": "return", "case": {"failed_repairs": 2, "wish": "return"}},
    )
    assert r.status_code == 201, r.content
    fee = Decimal(r.json()["depreciation_fee"])
    assert fee == Decimal("3999.00") * Decimal("0.0005") * 100  # fridge 0.05% a day, 100 days
    assert Decimal(r.json()["refund"]) == Decimal("3999.00") - fee and r.json()["free"] is False


def test_a_remedy_the_decision_does_not_grant_is_refused(api, chain):
    ticket, _ = ticket_with_purchase(60)  # past 15 days: repair only
    r = post(
        api("cs_agent"), f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "return"}
    )
    assert r.status_code == 422 and r.json()["field"] == "remedy"
    assert ServiceOrder.objects.count() == 0 and not events(ticket, "order_created")
    r = post(
        api("cs_agent"),
        f"/api/v1/aftersales/tickets/{ticket.pk}/orders",
        {"remedy": "compensation"},
    )
    assert r.status_code == 422 and r.json()["field"] == "remedy"


def test_a_bad_fact_in_the_order_case_names_the_field(api, chain):
    ticket, _ = ticket_with_purchase(10)
    r = post(
        api("cs_agent"),
        f"/api/v1/aftersales/tickets/{ticket.pk}/orders",
        {"remedy": "repair", "case": {"fault": "exploded"}},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (
        r.status_code == 422
        and r.json()["field"] == "case.fault"
        and "unknown value" in r.json()["detail"]
    )


def test_a_second_open_order_of_the_same_kind_is_refused(api, chain):
    ticket, _ = ticket_with_purchase(30)
    client = api("cs_agent")
    assert (
        post(
            client, f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"}
        ).status_code
        == 201
    )
    r = post(client, f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"})
    assert r.status_code == 409 and ServiceOrder.objects.count() == 1


def test_a_ticket_without_purchase_needs_the_whole_case(api, chain):
    ticket = open_ticket("SH001", type="complaint")
    client = api("cs_agent")
    r = post(client, f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"})
    assert r.status_code == 422 and r.json()["field"] == "case.category"
    r = post(
        client,
        f"/api/v1/aftersales/tickets/{ticket.pk}/orders",
        {"remedy": "return", "case": ISSUE_EXAMPLE},
    )
    assert (
        r.status_code == 201 and r.json()["purchase_id"] is None and r.json()["refund"] == "3999.00"
    )


def test_repair_days_are_recorded_on_the_purchase_and_extend_the_period(api, chain):
    ticket, purchase = ticket_with_purchase(60)
    client = api("cs_agent")
    before = client.get(f"/api/v1/aftersales/tickets/{ticket.pk}/decision").json()["decision"][
        "warranty"
    ]["end"]
    order = post(
        client, f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"}
    ).json()
    for status in ("approved", "in_progress"):
        post(client, f"/api/v1/aftersales/orders/{order['id']}/status", {"status": status})
    r = post(client, f"/api/v1/aftersales/orders/{order['id']}/status", {"status": "done"})
    assert r.status_code == 422 and r.json()["field"] == "outcome"
    r = post(
        client,
        f"/api/v1/aftersales/orders/{order['id']}/status",
        {"status": "done", "outcome": "fixed", "repair_days": 5, "parts_wait_days": 3},
    )
    assert r.status_code == 200, r.content
    record = WarrantyRecord.objects.get(purchase=purchase)
    assert (record.repair_days, record.parts_wait_days) == (5, 3)
    again = open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
    after = client.get(f"/api/v1/aftersales/tickets/{again.pk}/decision").json()
    assert after["case"]["repair_days"] == 5 and after["case"]["parts_wait_days"] == 3
    assert datetime.date.fromisoformat(
        after["decision"]["warranty"]["end"]
    ) >= datetime.date.fromisoformat(before) + datetime.timedelta(days=8)


def test_two_failed_repairs_of_the_same_fault_suggest_the_exchange(api, chain):
    ticket, purchase = ticket_with_purchase(90)
    client = api("cs_agent")

    def failed_repair(symptom):
        order = post(
            client,
            f"/api/v1/aftersales/tickets/{ticket.pk}/orders",
            {"remedy": "repair", "symptom": symptom},
        ).json()
        for status in ("approved", "in_progress"):
            post(client, f"/api/v1/aftersales/orders/{order['id']}/status", {"status": status})
        r = post(
            client,
            f"/api/v1/aftersales/orders/{order['id']}/status",
            {"status": "done", "outcome": "not_fixed", "repair_days": 0},
        )
        assert r.status_code == 200, r.content

    failed_repair("不制冷")
    failed_repair("噪音大")  # another fault does not count towards the same one
    assert not events(ticket, "exchange_suggested")
    failed_repair(" 不制冷 ")
    suggested = events(ticket, "exchange_suggested")
    assert (
        len(suggested) == 1
        and suggested[0].data["failed_repairs"] == 2
        and suggested[0].data["applies"]
    )
    assert (
        suggested[0].data["recommended"] == "exchange" and "R-2REPAIR" in suggested[0].data["rules"]
    )
    decision = client.get(f"/api/v1/aftersales/tickets/{ticket.pk}/decision").json()
    assert decision["case"]["failed_repairs"] == 2
    assert decision["decision"]["recommended"] == "exchange"
    assert "R-2REPAIR" in [r["id"] for r in decision["decision"]["rules"]]


def test_orders_need_a_role_that_works_tickets(api, chain):
    ticket, _ = ticket_with_purchase(10)
    r = post(api("qa"), f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"})
    assert r.status_code == 403 and ServiceOrder.objects.count() == 0


def test_a_closed_ticket_takes_no_new_order(api, chain):
    from kefu.tickets import services as ticket_services

    ticket, _ = ticket_with_purchase(10)
    ticket_services.change_status(actor=chain["users"]["cs_agent"], ticket=ticket, status="closed")
    r = post(
        api("cs_agent"), f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"}
    )
    assert r.status_code == 409


def test_orders_outside_scope_are_404(api, chain):
    ticket, _ = ticket_with_purchase(10, store="SH001")
    order = post(
        api("cs_agent"), f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"}
    ).json()
    outsider = api("staff_bj001")
    assert outsider.get(f"/api/v1/aftersales/tickets/{ticket.pk}/orders").status_code == 404
    assert outsider.get(f"/api/v1/aftersales/tickets/{ticket.pk}/decision").status_code == 404
    assert outsider.get(f"/api/v1/aftersales/orders/{order['id']}").status_code == 404
    r = post(outsider, f"/api/v1/aftersales/orders/{order['id']}/status", {"status": "approved"})
    assert r.status_code == 404
    r = post(outsider, f"/api/v1/aftersales/tickets/{ticket.pk}/orders", {"remedy": "repair"})
    assert r.status_code == 404
    assert ServiceOrder.objects.get(pk=order["id"]).status == "requested"
    # Colleagues of the same store and region see it.
    assert api("staff_sh001").get(f"/api/v1/aftersales/orders/{order['id']}").status_code == 200
    assert (
        api("region_east").get(f"/api/v1/aftersales/tickets/{ticket.pk}/orders").status_code == 200
    )


def test_listing_orders_takes_the_same_queries_for_one_or_many(api, chain):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket, _ = ticket_with_purchase(100)
    client = api("cs_agent")
    url = f"/api/v1/aftersales/tickets/{ticket.pk}/orders"
    post(client, url, {"remedy": "repair"})
    client.get(url)  # warm the token and session lookups
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).json()) == 1
    for remedy in ("exchange", "return"):
        post(client, url, {"remedy": remedy, "case": {"failed_repairs": 2}})
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(url).json()) == 3
    assert len(three) == len(one)
