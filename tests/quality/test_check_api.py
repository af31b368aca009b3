"""POST /api/v1/quality/check: the checker for other tools, scoped like every read."""

import pytest

from tests.factories import CustomerFactory, open_ticket
from tests.quality.conftest import post_json

pytestmark = pytest.mark.django_db
URL = "/api/v1/quality/check"


def test_check_returns_findings_with_spans(api, chain):
    text = "你好，你应该先看说明书。"
    r = post_json(api("cs_agent"), URL, {"text": text})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["blocked"] is True
    found = {f["code"]: f for f in body["findings"]}
    start, end = found["forbidden.ni_ying_gai"]["span"]
    assert text[start:end] == found["forbidden.ni_ying_gai"]["text"] == "你应该"
    assert found["hint.ni_to_nin"]["severity"] == "hint"


def test_clean_text_has_no_findings(api, chain):
    r = post_json(api("cs_agent"), URL, {"text": "您好，师傅明天上午上门，请您保持电话畅通。"})
    assert r.json() == {"findings": [], "blocked": False}


def test_the_ticket_brings_the_customers_name_and_the_complaint_hints(api, complaint):
    text = "您好，非常抱歉，我们马上处理。"
    with_ticket = post_json(
        api("staff_sh001"), URL, {"text": text, "ticket_id": complaint.id}
    ).json()
    assert [f["code"] for f in with_ticket["findings"]] == ["hint.no_name"]
    assert "张先生" in with_ticket["findings"][0]["suggestion"]
    greeted = post_json(
        api("staff_sh001"), URL, {"text": "张先生" + text, "ticket_id": complaint.id}
    ).json()
    assert greeted["findings"] == []


def test_customer_out_of_scope_is_404(api, chain):
    beijing = CustomerFactory(name="李娜", gender="female")
    open_ticket(chain["stores"]["BJ001"], customer=beijing)
    r = post_json(api("staff_sh001"), URL, {"text": "您好", "customer_id": beijing.id})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert (
        post_json(api("staff_bj001"), URL, {"text": "您好", "customer_id": beijing.id}).status_code
        == 200
    )


def test_ticket_out_of_scope_is_404(api, chain):
    ticket = open_ticket(chain["stores"]["BJ001"])
    assert (
        post_json(api("staff_sh001"), URL, {"text": "您好", "ticket_id": ticket.id}).status_code
        == 404
    )


def test_bad_input_is_422_and_no_credentials_is_401(api, chain):
    r = post_json(api("cs_agent"), URL, {"text": "x" * 20001})
    assert r.status_code == 422 and r.json()["field"] == "text"
    assert post_json(api("cs_agent"), URL, {"body": "您好"}).status_code == 422
    from django.test import Client

    assert post_json(Client(), URL, {"text": "您好"}).status_code == 401


def test_the_endpoint_is_in_the_openapi_spec(api, chain):
    spec = api("cs_agent").get("/api/v1/openapi.json").json()
    assert "/api/v1/quality/check" in spec["paths"]
