"""The staff API at /api/v1/feedback/: scoped (404 outside), capability-checked (403), flat query counts."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.feedback import services
from kefu.feedback.models import FollowUp
from kefu.tickets.models import Ticket
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def ticket(chain):
    return open_ticket(chain["stores"]["SH001"], type="complaint")


def test_the_ticket_voice_shows_survey_calls_and_compensation_in_scope_only(api, resolved):
    ticket = resolved()
    services.answer_survey(
        token=ticket.survey.token, csat=2, answers={"solved": 1}, comment="没修好"
    )
    r = api("manager_sh001").get(f"/api/v1/feedback/tickets/{ticket.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (
        body["survey"]["csat"] == 2
        and body["survey"]["answers"] == {"solved": 1}
        and body["survey"]["comment"] == "没修好"
    )
    assert [f["reason"] for f in body["followups"]] == ["low_score"] and body["compensations"] == []
    assert body["my_limit"] == "500.00"
    assert api("staff_bj001").get(f"/api/v1/feedback/tickets/{ticket.pk}").status_code == 404
    assert api("region_north").get(f"/api/v1/feedback/tickets/{ticket.pk}").status_code == 404


def test_compensation_through_the_api(api, ticket):
    r = post(
        api("staff_sh001"),
        f"/api/v1/feedback/tickets/{ticket.pk}/compensations",
        {
            "kind": "voucher",
            "purpose": "goodwill",
            "amount": "300.00",
            "gift": "300元代金券",
            "reason": "多次上门未修好",
        },
    )
    assert r.status_code == 201, r.content
    item = r.json()
    assert (
        item["status"] == "requested"
        and item["awaiting_tier"] == "store_manager"
        and item["amount"] == "300.00"
    )
    assert (
        post(
            api("manager_bj001"), f"/api/v1/feedback/compensations/{item['id']}/approve"
        ).status_code
        == 404
    )
    denied = post(api("staff_sh002"), f"/api/v1/feedback/compensations/{item['id']}/approve")
    assert denied.status_code == 404
    refused = post(
        api("manager_sh001"), f"/api/v1/feedback/compensations/{item['id']}/reject", {"reason": ""}
    )
    assert refused.status_code == 422 and refused.json()["field"] == "reason"
    decidable = (
        api("manager_sh001").get("/api/v1/feedback/compensations?decidable=true").json()["items"]
    )
    assert [c["id"] for c in decidable] == [item["id"]]
    voice = api("manager_sh001").get(f"/api/v1/feedback/tickets/{ticket.pk}").json()
    assert [c["may_decide"] for c in voice["compensations"]] == [True]
    assert [
        c["may_decide"]
        for c in api("staff_sh001")
        .get(f"/api/v1/feedback/tickets/{ticket.pk}")
        .json()["compensations"]
    ] == [False]
    ok = post(
        api("manager_sh001"),
        f"/api/v1/feedback/compensations/{item['id']}/approve",
        {"note": "同意"},
    )
    assert (
        ok.status_code == 200
        and ok.json()["status"] == "approved"
        and ok.json()["decided_by"] == "manager_sh001"
    )
    again = post(api("region_east"), f"/api/v1/feedback/compensations/{item['id']}/approve")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    summary = api("manager_sh001").get("/api/v1/feedback/compensations/summary").json()
    assert summary == [
        {
            "store": "SH001",
            "name": "上海徐家汇店",
            "total": "300.00",
            "loss": "0.00",
            "goodwill": "300.00",
            "approved": 1,
            "pending": 0,
        }
    ]
    assert api("staff_sh001").get("/api/v1/feedback/compensations/summary").status_code == 403


def test_a_bad_amount_answers_422_in_chinese_and_out_of_scope_tickets_404(api, ticket):
    r = post(
        api("staff_sh001"),
        f"/api/v1/feedback/tickets/{ticket.pk}/compensations",
        {"kind": "cash", "purpose": "loss", "amount": "1.005", "reason": "x"},
    )
    assert r.status_code == 422 and r.json()["field"] == "amount" and "元" in r.json()["detail"]
    r = post(
        api("staff_bj001"),
        f"/api/v1/feedback/tickets/{ticket.pk}/compensations",
        {"kind": "cash", "purpose": "loss", "amount": "1", "reason": "x"},
    )
    assert r.status_code == 404


def _calls(resolved, n, store="SH001"):
    day = timezone.localdate() - datetime.timedelta(days=6)
    for _ in range(n):
        t = resolved(store, type="complaint")
        Ticket.objects.filter(pk=t.pk).update(
            resolved_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(15)))
        )
    services.generate_followups()


def test_follow_up_calls_through_the_api(api, resolved):
    _calls(resolved, 1)
    _calls(resolved, 1, store="BJ001")
    sh = FollowUp.objects.get(store__code="SH001")
    overdue = api("manager_sh001").get("/api/v1/feedback/followups?view=overdue").json()["items"]
    assert [f["id"] for f in overdue] == [sh.pk] and overdue[0]["overdue"] is True
    assert api("staff_sh001").get("/api/v1/feedback/followups?view=overdue").status_code == 403
    assert api("trainer").get("/api/v1/feedback/followups").status_code == 403
    assert [
        f["id"] for f in api("staff_sh001").get("/api/v1/feedback/followups").json()["items"]
    ] == [sh.pk]
    detail = api("staff_sh001").get(f"/api/v1/feedback/followups/{sh.pk}").json()
    assert (
        detail["script"].startswith(sh.ticket.customer.greeting)
        and len(detail["customer"]["phone"]) == 11
    )
    assert api("staff_bj001").get(f"/api/v1/feedback/followups/{sh.pk}").status_code == 404
    assert (
        post(
            api("staff_bj001"),
            f"/api/v1/feedback/followups/{sh.pk}/calls",
            {"outcome": "satisfied"},
        ).status_code
        == 404
    )
    bad = post(
        api("staff_sh001"), f"/api/v1/feedback/followups/{sh.pk}/calls", {"outcome": "unsatisfied"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "note"
    done = post(
        api("staff_sh001"),
        f"/api/v1/feedback/followups/{sh.pk}/calls",
        {"outcome": "satisfied", "note": "很满意"},
    )
    assert (
        done.status_code == 200 and done.json()["outcome"] == "satisfied" and done.json()["done_at"]
    )


def test_feedback_cards_through_the_api(api, chain):
    signed = services.submit_card(
        store="SH001",
        category="complaint",
        text="送货太慢",
        name="李娜",
        phone="13812345678",
        consent=True,
    )
    services.submit_card(store="BJ001", category="praise", text="服务很好")
    assert api("staff_sh001").get("/api/v1/feedback/cards").status_code == 403
    items = api("manager_sh001").get("/api/v1/feedback/cards").json()["items"]
    assert [c["id"] for c in items] == [signed.pk] and items[0]["customer"][
        "phone"
    ] == "138****5678"
    assert api("manager_bj001").get(f"/api/v1/feedback/cards/{signed.pk}").status_code == 404
    assert (
        api("manager_sh001").get(f"/api/v1/feedback/cards/{signed.pk}").json()["customer"]["phone"]
        == "13812345678"
    )
    r = post(api("manager_sh001"), f"/api/v1/feedback/cards/{signed.pk}/ticket")
    assert (
        r.status_code == 201
        and Ticket.objects.get(pk=r.json()["ticket_id"]).customer == signed.customer
    )
    assert (
        post(
            api("manager_sh001"), f"/api/v1/feedback/cards/{signed.pk}/handle", {"note": "x"}
        ).status_code
        == 409
    )


def test_surveys_through_the_api(api, resolved):
    low, good, north = resolved(), resolved(), resolved("BJ001")
    services.answer_survey(token=low.survey.token, csat=1)
    services.answer_survey(token=good.survey.token, csat=5)
    services.answer_survey(token=north.survey.token, csat=4)
    assert [
        s["ticket_id"]
        for s in api("region_east").get("/api/v1/feedback/surveys?low=true").json()["items"]
    ] == [low.pk]
    assert {
        s["ticket_id"] for s in api("region_east").get("/api/v1/feedback/surveys").json()["items"]
    } == {low.pk, good.pk}
    summary = api("cs_manager").get("/api/v1/feedback/surveys/summary").json()
    assert summary == [
        {"store": "BJ001", "name": "北京西单店", "answered": 1, "average": 4.0, "low": 0},
        {"store": "SH001", "name": "上海徐家汇店", "answered": 2, "average": 3.0, "low": 1},
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/feedback/followups?view=open",
        "/api/v1/feedback/compensations",
        "/api/v1/feedback/surveys",
        "/api/v1/feedback/cards?view=all",
    ],
)
def test_list_queries_do_not_grow_with_the_rows(api, resolved, users, url):
    client = api("cs_manager")

    def rows(n):
        _calls(resolved, n)
        for _ in range(n):
            t = resolved()
            services.answer_survey(token=t.survey.token, csat=4, answers={"timely": 5})
            services.request_compensation(
                actor=users["staff_sh001"],
                ticket=t,
                kind="cash",
                purpose="goodwill",
                amount="300",
                reason="致歉",
            )
            services.submit_card(
                store="SH001",
                category="suggestion",
                text="建议",
                name="张伟",
                phone=f"1391234{n:04d}",
                consent=True,
            )

    def count():
        client.get(url)  # warm up (token lookup caches, settings row)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    rows(1)
    few = count()
    rows(4)
    assert count() == few


def test_the_openapi_spec_describes_every_feedback_endpoint(api):
    spec = api("cs_manager").get("/api/v1/openapi.json").json()
    paths = [p for p in spec["paths"] if p.startswith("/api/v1/feedback/")]
    assert len(paths) == 15
    schemas = spec["components"]["schemas"]
    for page, item in (
        ("SurveyPage", "SurveyOut"),
        ("FollowUpPage", "FollowUpOut"),
        ("CardPage", "CardOut"),
        ("CompensationPage", "CompensationOut"),
    ):
        assert schemas[page]["properties"]["items"]["items"]["$ref"].endswith(f"/{item}")


@pytest.mark.parametrize(
    "amount", ["1E+1000000", "1E-1000000", "Infinity", 1e300, "10000000000.00"]
)
def test_absurd_amounts_are_refused_not_crashed_on(api, ticket, amount):
    r = post(
        api("cs_manager"),
        f"/api/v1/feedback/tickets/{ticket.pk}/compensations",
        {"kind": "cash", "purpose": "loss", "amount": amount, "reason": "x"},
    )
    assert r.status_code == 422


def test_odd_query_values_answer_4xx_or_an_empty_page(api, chain):
    client = api("cs_manager")
    assert client.get("/api/v1/feedback/followups", {"store": "SH\x00001"}).status_code == 422
    assert (
        client.get("/api/v1/feedback/compensations", {"store": "SH001' OR 1=1"}).status_code == 422
    )
    r = client.get(
        "/api/v1/feedback/compensations/summary", {"since": "0001-01-01", "until": "9999-12-31"}
    )
    assert r.status_code == 200 and r.json() == []
    assert (
        client.get(
            "/api/v1/feedback/surveys/summary", {"since": "9999-12-31", "until": "0001-01-01"}
        ).status_code
        == 200
    )
    r = post(
        client,
        f"/api/v1/feedback/followups/{10**18}/calls",
        {"outcome": "satisfied", "note": "\x00"},
    )
    assert r.status_code == 422  # refused before anything is looked up (kefu.web.middleware)
