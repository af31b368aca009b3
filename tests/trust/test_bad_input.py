"""Bad input a client may send answers a 4xx in the caller's language, never a 500, and the
same on SQLite and PostgreSQL (issue 10, item 5)."""

import json

import pytest

from tests.aftersales.test_api import ISSUE_EXAMPLE

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, data=body, content_type="application/json", **headers)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("field", ["sale_date", "request_date"])
def test_year_9999_in_adjudicate_is_a_422_in_chinese(api, chain, field):
    body = {**ISSUE_EXAMPLE, field: "9999-12-31"}
    if field == "sale_date":
        body["request_date"] = "9999-12-31"
    r = post(api("cs_agent"), "/api/v1/aftersales/adjudicate", json.dumps(body))
    assert r.status_code in (400, 422), r.content
    assert has_chinese(r.json()["detail"])


def test_deeply_nested_brackets_to_adjudicate_are_a_4xx(api, chain):
    r = post(api("cs_agent"), "/api/v1/aftersales/adjudicate", "[" * 100_000 + "]" * 100_000)
    assert r.status_code in (400, 422), r.content[:300]
    assert has_chinese(r.json()["detail"])


@pytest.mark.parametrize("start", ["9999-12-31T23:00:00", "9999-12-31T23:59:59+08:00"])
def test_year_9999_in_sla_due_is_a_422_in_chinese(api, chain, start):
    r = api("cs_manager").get(
        "/api/v1/sla/due", {"start": start, "calendar": "backoffice", "hours": "8"}
    )
    assert r.status_code in (400, 422), r.content
    assert has_chinese(r.json()["detail"])


def test_a_64_bit_overflowing_id_in_notifications_read_is_a_422(api, chain):
    r = post(api("cs_agent"), "/api/v1/notifications/read", '{"ids": [9223372036854775808]}')
    assert r.status_code == 422, r.content
    assert has_chinese(r.json()["detail"])
    english = post(
        api("cs_agent"),
        "/api/v1/notifications/read",
        '{"ids": [-9223372036854775809]}',
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 422 and not has_chinese(english.json()["detail"])


def test_deeply_nested_brackets_anywhere_in_the_api_are_a_400(api, chain):
    r = post(
        api("cs_agent"), "/api/v1/tickets", '{"subject": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    assert r.status_code in (400, 422), r.content[:300]
    assert has_chinese(r.json()["detail"])
