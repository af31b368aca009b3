"""A NUL character in a query or a text body is refused before any view runs: one clear 422,
the same on SQLite and PostgreSQL, and nothing written."""

import json
from urllib.parse import urlencode

import pytest

from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

NEW_TICKET = {
    "type": "fault_report",
    "channel": "phone",
    "subject": "冰箱不制冷",
    "store": "SH001",
    "customer": {"name": "张伟", "phone": "13912345678"},
}


def test_api_query_with_nul_answers_422_in_chinese(api):
    r = api("cs_agent").get("/api/v1/tickets", {"q": "冰箱\x00"})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid" and "空字符" in r.json()["detail"]


def test_api_json_body_with_nul_changes_nothing_and_speaks_english_on_request(api):
    body = json.dumps({**NEW_TICKET, "subject": "冰箱\u0000不制冷"})
    r = api("cs_agent").post(
        "/api/v1/tickets", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 422 and "NUL character" in r.json()["detail"]
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_desk_form_with_nul_is_refused(desk, encoding):
    form = {"subject": "冰箱\x00", "store": "SH001", "type": "fault_report", "channel": "phone"}
    if encoding == "urlencoded":
        r = desk("cs_agent").post(
            "/desk/tickets/new/", urlencode(form), content_type="application/x-www-form-urlencoded"
        )
    else:
        r = desk("cs_agent").post("/desk/tickets/new/", form)
    assert r.status_code == 422 and "空字符" in r.content.decode()
    assert Ticket.objects.count() == 0


def test_clean_input_passes(api):
    r = api("cs_agent").post(
        "/api/v1/tickets", json.dumps(NEW_TICKET), content_type="application/json"
    )
    assert r.status_code == 201
