"""Field service: who may be assigned, slots, rescheduling, the visit record, and R-2REPAIR."""

import datetime
import json

import pytest
from django.utils import timezone

from kefu.aftersales import selectors, services
from kefu.aftersales.models import FieldVisit, ServiceOrder, VisitReschedule
from kefu.errors import Conflict, Forbidden, InvalidInput
from kefu.tickets.models import TicketEvent
from tests.factories import open_ticket, purchase_bought, technician, technician_user

pytestmark = pytest.mark.django_db


def tomorrow(days=1):
    return timezone.localdate() + datetime.timedelta(days=days)


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def crew(chain, users):
    """technician: fridges in the whole east region; tech_tv: TVs at SH001 only; tech_north: fridges in the north."""
    technician(users["technician"], skills=("refrigerator", "washing_machine"), regions=("east",))
    return {
        "east": users["technician"],
        "tv": technician_user("tech_tv", skills=("tv",), stores=("SH001",)),
        "north": technician_user("tech_north", skills=("refrigerator",), regions=("north",)),
        "idle": technician_user(
            "tech_idle", skills=("refrigerator",), regions=("east",), is_active=False
        ),
    }


def fridge_ticket(store="SH001", days_ago=90, **kw):
    purchase = purchase_bought(days_ago)
    return open_ticket(store, customer=purchase.customer, purchase_id=purchase.pk, **kw), purchase


def dispatch(
    ticket, technician="technician", *, actor, date=None, window="09-12", kind="repair", **kw
):
    return services.dispatch_visit(
        actor=actor,
        ticket=ticket,
        kind=kind,
        date=date or tomorrow(),
        window=window,
        technician=technician,
        **kw,
    )


def test_only_technicians_with_the_skill_and_the_area_are_offered(crew, chain):
    stores = chain["stores"]
    fridge = chain["category"]
    from kefu.catalog.models import ProductCategory

    tv = ProductCategory.objects.get(code="tv")
    names = lambda qs: sorted(t.staff.user.username for t in qs)  # noqa: E731
    assert names(selectors.technicians_for(fridge, stores["SH001"])) == ["technician"]
    assert names(selectors.technicians_for(fridge, stores["BJ001"])) == ["tech_north"]
    assert names(selectors.technicians_for(tv, stores["SH001"])) == ["tech_tv"]
    assert names(selectors.technicians_for(tv, stores["SH002"])) == []


@pytest.mark.parametrize("who", ["tech_tv", "tech_north", "tech_idle", "staff_sh001", "nobody"])
def test_assignment_refuses_a_technician_without_the_skill_or_the_area(crew, users, who):
    ticket, _ = fridge_ticket()
    with pytest.raises(InvalidInput) as caught:
        dispatch(ticket, who, actor=users["cs_agent"])
    assert caught.value.field == "technician"
    assert not FieldVisit.objects.exists()


def test_dispatch_books_the_slot_and_writes_the_timeline(crew, users):
    ticket, purchase = fridge_ticket()
    visit = dispatch(ticket, actor=users["cs_agent"], symptom="不制冷")
    assert visit.technician == users["technician"].staff and visit.purchase == purchase
    assert visit.category.code == "refrigerator" and visit.status == "scheduled"
    event = TicketEvent.objects.get(ticket=ticket, kind="visit_scheduled")
    assert event.data == {
        "visit": visit.pk,
        "kind": "repair",
        "technician": "technician",
        "date": tomorrow().isoformat(),
        "window": "09-12",
        "order": None,
    }
    assert (tomorrow(), "09-12") not in selectors.free_slots(
        users["technician"].staff, start=tomorrow(), days=1
    )


def test_a_technician_is_never_double_booked(crew, users):
    first, _ = fridge_ticket()
    second, _ = fridge_ticket(store="SH002")
    dispatch(first, actor=users["cs_agent"])
    with pytest.raises(Conflict):
        dispatch(second, actor=users["cs_agent"])
    dispatch(second, actor=users["cs_agent"], window="13-17")
    assert FieldVisit.objects.count() == 2


def test_the_database_refuses_a_double_booking_that_slips_past_the_check(crew, users):
    first, _ = fridge_ticket()
    visit = dispatch(first, actor=users["cs_agent"])
    clone = FieldVisit(
        ticket=visit.ticket,
        category=visit.category,
        store=visit.store,
        kind="repair",
        technician=visit.technician,
        date=visit.date,
        window=visit.window,
    )
    with pytest.raises(Conflict):
        services._save_visit(clone)


def test_dispatch_checks_the_slot_and_the_role(crew, users):
    ticket, _ = fridge_ticket()
    with pytest.raises(InvalidInput) as caught:
        dispatch(
            ticket, actor=users["cs_agent"], date=timezone.localdate() - datetime.timedelta(days=1)
        )
    assert caught.value.field == "date"
    with pytest.raises(InvalidInput) as caught:
        dispatch(ticket, actor=users["cs_agent"], window="03-04")
    assert caught.value.field == "window"
    with pytest.raises(Forbidden):
        dispatch(ticket, actor=users["staff_sh001"])  # store staff may not dispatch


def test_rescheduling_is_recorded(crew, users):
    ticket, _ = fridge_ticket()
    visit = dispatch(ticket, actor=users["cs_agent"])
    moved = services.reschedule_visit(
        actor=users["technician"],
        visit=visit,
        date=tomorrow(2),
        window="13-17",
        reason="顾客临时出差",
    )
    assert (moved.date, moved.window, moved.reschedules) == (tomorrow(2), "13-17", 1)
    log = VisitReschedule.objects.get(visit=visit)
    assert (log.previous_date, log.previous_window, log.reason) == (
        tomorrow(),
        "09-12",
        "顾客临时出差",
    )
    event = TicketEvent.objects.get(ticket=ticket, kind="visit_rescheduled")
    assert (
        event.data["previous"]["date"] == tomorrow().isoformat() and event.data["window"] == "13-17"
    )
    with pytest.raises(InvalidInput):
        services.reschedule_visit(
            actor=users["technician"], visit=visit, date=tomorrow(3), window="13-17", reason=""
        )
    with pytest.raises(InvalidInput):  # moving it to a technician without the area is refused too
        services.reschedule_visit(
            actor=users["cs_agent"],
            visit=visit,
            date=tomorrow(3),
            window="13-17",
            reason="换师傅",
            technician="tech_north",
        )


def test_the_visit_record_and_who_may_write_it(crew, users):
    ticket, _ = fridge_ticket()
    visit = dispatch(ticket, actor=users["cs_agent"], kind="installation")
    with pytest.raises(Forbidden):
        services.record_visit(actor=users["staff_sh001"], visit=visit, outcome="installed")
    with pytest.raises(InvalidInput) as caught:
        services.record_visit(
            actor=users["technician"], visit=visit, outcome="installed", customer_confirmed=True
        )
    assert caught.value.field == "confirmed_by"
    done = services.record_visit(
        actor=users["technician"],
        visit=visit,
        outcome="installed",
        diagnosis="安装调试完成",
        parts_used="进水管 x 2\n膨胀螺丝",
        fee="50.00",
        customer_confirmed=True,
        confirmed_by="张伟",
    )
    assert done.status == "done" and done.arrived_at is not None and str(done.fee) == "50.00"
    assert done.parts_used == [
        {"name": "进水管", "quantity": 2},
        {"name": "膨胀螺丝", "quantity": 1},
    ]
    event = TicketEvent.objects.get(ticket=ticket, kind="visit_recorded")
    assert event.data["outcome"] == "installed" and event.data["customer_confirmed"] is True
    with pytest.raises(Conflict):
        services.record_visit(actor=users["technician"], visit=visit, outcome="installed")


def test_an_on_site_repair_finishes_its_repair_order(crew, users):
    ticket, purchase = fridge_ticket()
    agent = users["cs_agent"]
    order = services.create_order(actor=agent, ticket=ticket, remedy="repair", symptom="不制冷")
    with pytest.raises(Conflict):  # a requested order is approved before anyone goes out
        dispatch(ticket, actor=agent, order_id=order.pk)
    services.change_order_status(actor=agent, order=order, status="approved")
    visit = dispatch(ticket, actor=agent, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "in_progress" and visit.symptom == "不制冷"
    services.record_visit(
        actor=users["technician"], visit=visit, outcome="fixed", diagnosis="更换温控器"
    )
    order.refresh_from_db()
    assert (order.status, order.outcome) == ("done", "fixed")
    last = TicketEvent.objects.filter(ticket=ticket, kind="order_status").last()
    assert last.data["visit"] == visit.pk and last.data["status"] == "done"


def test_two_failed_on_site_repairs_of_the_same_fault_suggest_the_exchange(crew, users):
    ticket, purchase = fridge_ticket()
    agent, tech = users["cs_agent"], users["technician"]
    first = dispatch(ticket, actor=agent, symptom="不制冷")
    services.record_visit(actor=tech, visit=first, outcome="not_fixed", diagnosis="补氟后仍不制冷")
    assert not TicketEvent.objects.filter(ticket=ticket, kind="exchange_suggested").exists()
    second = dispatch(ticket, actor=agent, symptom="不制冷", date=tomorrow(2))
    services.record_visit(actor=tech, visit=second, outcome="not_fixed", diagnosis="压缩机异常")
    suggestion = TicketEvent.objects.get(ticket=ticket, kind="exchange_suggested")
    assert suggestion.data["failed_repairs"] == 2 and suggestion.data["recommended"] == "exchange"
    case = selectors.prefill_case(ticket, purchase)
    assert case["failed_repairs"] == 2


def test_a_failed_repair_order_and_a_failed_visit_of_the_same_fault_count_together(crew, users):
    ticket, purchase = fridge_ticket()
    agent, tech = users["cs_agent"], users["technician"]
    order = services.create_order(actor=agent, ticket=ticket, remedy="repair", symptom="不制冷")
    for status in ("approved", "in_progress"):
        services.change_order_status(actor=agent, order=order, status=status)
    services.change_order_status(actor=agent, order=order, status="done", outcome="not_fixed")
    visit = dispatch(ticket, actor=agent, symptom=" 不制冷 ", date=tomorrow(2))
    services.record_visit(actor=tech, visit=visit, outcome="not_fixed", diagnosis="压缩机异常")
    visit.refresh_from_db()
    assert visit.order_id is None
    assert selectors.failed_repairs(purchase) == {"不制冷": 2}
    assert selectors.prefill_case(ticket, purchase)["failed_repairs"] == 2


def test_failures_before_an_exchange_do_not_count_for_the_new_unit(crew, users):
    ticket, purchase = fridge_ticket()
    agent = users["cs_agent"]
    for _ in range(2):
        order = services.create_order(actor=agent, ticket=ticket, remedy="repair", symptom="不制冷")
        for status in ("approved", "in_progress"):
            services.change_order_status(actor=agent, order=order, status=status)
        services.change_order_status(actor=agent, order=order, status="done", outcome="not_fixed")
    assert selectors.prefill_case(ticket, purchase)["failed_repairs"] == 2
    exchange = services.create_order(actor=agent, ticket=ticket, remedy="exchange")
    for status in ("approved", "in_progress", "done"):
        services.change_order_status(actor=agent, order=exchange, status=status)
    # R-RESTART: the new unit's period starts on the exchange day.
    assert selectors.prefill_case(ticket, purchase)["sale_date"] == timezone.localdate().isoformat()
    # Counting is by day, so move the old unit's failed repairs to before the exchange day.
    ServiceOrder.objects.filter(kind="repair").update(
        finished_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert selectors.prefill_case(ticket, purchase)["failed_repairs"] == 0


def test_field_service_api_scope_and_lists(crew, api, users, chain):
    ticket, _ = fridge_ticket()
    agent = api("cs_agent")
    r = agent.get(f"/api/v1/aftersales/tickets/{ticket.pk}/technicians")
    assert r.status_code == 200 and [t["username"] for t in r.json()] == ["technician"]
    assert len(r.json()[0]["free_slots"]) == 7 * 3
    r = post(
        agent,
        f"/api/v1/aftersales/tickets/{ticket.pk}/visits",
        {
            "kind": "repair",
            "date": tomorrow().isoformat(),
            "window": "09-12",
            "technician": "tech_tv",
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "technician"
    r = post(
        agent,
        f"/api/v1/aftersales/tickets/{ticket.pk}/visits",
        {
            "kind": "repair",
            "date": tomorrow().isoformat(),
            "window": "09-12",
            "technician": "technician",
        },
    )
    assert r.status_code == 201, r.content
    visit_id = r.json()["id"]
    assert api("technician").get("/api/v1/aftersales/visits").json()[0]["id"] == visit_id
    assert api("tech_tv").get("/api/v1/aftersales/visits").json() == []
    outsider = api("staff_bj001")
    assert outsider.get(f"/api/v1/aftersales/tickets/{ticket.pk}/visits").status_code == 404
    assert (
        post(outsider, f"/api/v1/aftersales/visits/{visit_id}/cancel", {"reason": "x"}).status_code
        == 404
    )
    r = post(api("tech_tv"), f"/api/v1/aftersales/visits/{visit_id}/record", {"outcome": "fixed"})
    assert r.status_code == 403
    r = post(
        api("technician"),
        f"/api/v1/aftersales/visits/{visit_id}/record",
        {
            "outcome": "fixed",
            "diagnosis": "温控器故障",
            "parts_used": [{"name": "温控器", "quantity": 1}],
            "fee": "0.00",
            "customer_confirmed": True,
            "confirmed_by": "张伟",
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "done" and r.json()["parts_used"] == [
        {"name": "温控器", "quantity": 1}
    ]


def test_listing_visits_takes_the_same_queries_for_one_or_many(crew, api, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket, _ = fridge_ticket()
    client = api("cs_agent")
    dispatch(ticket, actor=users["cs_agent"])
    for url in (f"/api/v1/aftersales/tickets/{ticket.pk}/visits", "/api/v1/aftersales/visits"):
        client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"/api/v1/aftersales/tickets/{ticket.pk}/visits").json()) == 1
        assert len(client.get("/api/v1/aftersales/visits").json()) == 1
    for days in (2, 3, 4):
        dispatch(ticket, actor=users["cs_agent"], date=tomorrow(days))
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(f"/api/v1/aftersales/tickets/{ticket.pk}/visits").json()) == 4
        assert len(client.get("/api/v1/aftersales/visits").json()) == 4
    assert len(four) == len(one)
