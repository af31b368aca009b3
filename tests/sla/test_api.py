"""SLA in the API: the `sla` block of the ticket JSON, the solution timetable, a ticket's clocks,
the managers' breaching-soon list and the due-time calculator."""

import json

import pytest
import time_machine

from kefu.sla.services import sweep
from tests.factories import open_ticket
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_ticket_json_carries_the_sla_with_iso_offsets(api, chain, office_store):
    with time_machine.travel(at(2026, 9, 30, 17), tick=False):
        ticket = open_ticket(office_store, type="complaint")
    sla = api("cs_agent").get(f"/api/v1/tickets/{ticket.id}").json()["sla"]
    assert sla == {
        "policy": "complaint",
        "first_response_due": "2026-10-08T12:00:00+08:00",
        "next_reply_due": None,
        "resolution_due": "2026-10-13T12:00:00+08:00",
        "solution_promised_at": None,
        "paused": False,
        "breached": [],
    }
    with time_machine.travel(at(2026, 10, 8, 12), tick=False):
        sweep()
    listed = api("cs_agent").get("/api/v1/tickets").json()["items"][0]["sla"]
    assert listed["breached"] == ["first_response"]


def test_solution_timetable_endpoint_sets_the_promise(api, chain):
    ticket = open_ticket(chain["stores"]["SH001"], type="complaint")
    promised = "2099-01-05T18:00:00+08:00"
    with time_machine.travel(at(2098, 12, 31, 10), tick=False):
        r = post(
            api("staff_sh001"),
            f"/api/v1/tickets/{ticket.id}/solution-timetable",
            {
                "promised_at": promised,
                "note": "张先生，我们将在1月5日18点前给您解决方案。",
                "version": ticket.version,
            },
        )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["sla"]["solution_promised_at"] == promised and body["version"] == ticket.version + 1
    event = body["timeline"][-1]
    assert (
        event["kind"] == "solution_timetable"
        and event["public"] is True
        and "1月5日" in event["body"]
    )


@pytest.mark.parametrize(
    ("user", "payload", "status", "code"),
    [
        ("staff_sh001", {"promised_at": "2020-01-01T10:00:00+08:00"}, 422, "invalid"),
        ("staff_sh001", {"promised_at": "not a date"}, 422, "invalid"),
        ("staff_sh001", {"promised_at": "2099-01-01T10:00:00+08:00", "version": 99}, 409, "stale"),
        (
            "staff_sh001",
            {"promised_at": "2099-01-01T10:00:00+08:00", "colour": "red"},
            422,
            "invalid",
        ),
        ("trainer", {"promised_at": "2099-01-01T10:00:00+08:00"}, 403, "forbidden"),
        ("staff_bj001", {"promised_at": "2099-01-01T10:00:00+08:00"}, 404, "not_found"),
    ],
)
def test_solution_timetable_refusals(api, chain, user, payload, status, code):
    ticket = open_ticket(chain["stores"]["SH001"], type="complaint")
    with time_machine.travel(at(2098, 12, 31, 10), tick=False):
        r = post(api(user), f"/api/v1/tickets/{ticket.id}/solution-timetable", payload)
    assert (r.status_code, r.json()["code"]) == (status, code)
    if status == 422:
        assert r.json()["field"] in ("promised_at", "colour")


def test_ticket_clocks_endpoint(api, chain, users):
    from kefu.tickets import services

    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="consultation")
        services.change_status(actor=users["cs_agent"], ticket=ticket, status="on_hold")
    r = api("cs_agent").get(f"/api/v1/tickets/{ticket.id}/sla").json()
    assert r["policy"] == "default"
    assert {c["target"]: c["state"] for c in r["clocks"]} == {
        "first_response": "paused",
        "resolution": "paused",
    }
    assert r["pauses"][0]["status"] == "on_hold" and r["pauses"][0]["ended_at"] is None
    assert r["clocks"][0]["due_at"].endswith("+08:00")


def test_breaching_soon_is_for_managers_and_respects_scope(api, chain):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        sh = open_ticket(chain["stores"]["SH001"], type="complaint")  # due 14:00
        bj = open_ticket(chain["stores"]["BJ001"], type="complaint")
        open_ticket(chain["stores"]["SH001"], type="consultation")  # due tomorrow 10:00
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        mine = api("manager_sh001").get("/api/v1/sla/breaching-soon").json()
        everything = api("cs_manager").get("/api/v1/sla/breaching-soon?within_minutes=60").json()
        staff = api("staff_sh001").get("/api/v1/sla/breaching-soon")
    assert [t["id"] for t in mine["items"]] == [sh.id]
    assert everything["items"] == []  # 3 hours left: outside a 60-minute window
    assert staff.status_code == 403
    with time_machine.travel(at(2026, 3, 2, 13, 30), tick=False):
        region = api("region_north").get("/api/v1/sla/breaching-soon").json()
    assert [t["id"] for t in region["items"]] == [bj.id]


def test_due_calculator(api, chain):
    r = api("cs_manager").get(
        "/api/v1/sla/due",
        {"calendar": "backoffice", "start": "2026-09-30T17:00:00+08:00", "hours": 4},
    )
    assert r.json()["due"] == "2026-10-08T12:00:00+08:00"
    r = api("cs_manager").get(
        "/api/v1/sla/due", {"calendar": "nowhere", "start": "2026-09-30T17:00:00", "hours": 4}
    )
    assert r.status_code == 422 and r.json()["field"] == "calendar"


def test_list_stays_flat_in_queries_with_the_sla_block(api, chain, django_assert_max_num_queries):
    for _ in range(3):
        open_ticket(chain["stores"]["SH001"])
    client = api("cs_agent")
    client.get("/api/v1/tickets")
    with django_assert_max_num_queries(6) as small:
        assert all(t["sla"]["policy"] for t in client.get("/api/v1/tickets").json()["items"])
    for _ in range(10):
        open_ticket(chain["stores"]["SH001"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/api/v1/tickets")


def test_openapi_lists_the_sla_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert (
        "/api/v1/tickets/{ticket_id}/solution-timetable" in paths
        and "/api/v1/sla/breaching-soon" in paths
    )
