"""The ticket API as a client sees it."""

import json

import pytest
from django.utils import translation

from kefu.customers.models import Customer, PiiReveal
from kefu.errors import field_label
from kefu.tickets.models import Ticket
from tests.factories import CustomerFactory, PurchaseFactory, open_ticket

pytestmark = pytest.mark.django_db

NEW = {
    "type": "complaint",
    "channel": "phone",
    "subject": "安装师傅迟到",
    "description": "约好十点，下午一点才到。",
    "store": "SH001",
    "customer": {"name": "张伟", "phone": "139 1234 5678", "gender": "male"},
}


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_create_ticket_answers_201_with_the_ticket(api):
    r = post(api("staff_sh001"), "/api/v1/tickets", NEW)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"].startswith("KF-") and body["status"] == "new" and body["store"] == "SH001"
    assert (
        body["escalation_tier"] == "store_staff"
        and body["assignee"] is None
        and body["version"] == 1
    )
    assert body["customer"] == {
        "id": body["customer"]["id"],
        "name": "张伟",
        "phone": "13912345678",
        "honorific": "张先生",
    }
    assert set(body) >= {
        "id",
        "number",
        "type",
        "channel",
        "status",
        "priority",
        "escalation_tier",
        "store",
        "assignee",
        "customer",
        "subject",
        "description",
        "created_at",
        "updated_at",
        "version",
    }


def test_customer_is_matched_by_phone(api):
    post(api("staff_sh001"), "/api/v1/tickets", NEW)
    post(
        api("staff_sh001"),
        "/api/v1/tickets",
        {**NEW, "customer": {"name": "张伟", "phone": "+86 13912345678"}},
    )
    assert Customer.objects.count() == 1 and Ticket.objects.count() == 2


def test_retried_post_with_idempotency_key_answers_the_first_ticket(api):
    client = api("staff_sh001")
    first = post(client, "/api/v1/tickets", NEW, HTTP_IDEMPOTENCY_KEY="retry-7")
    again = post(client, "/api/v1/tickets", NEW, HTTP_IDEMPOTENCY_KEY="retry-7")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and Ticket.objects.count() == 1


def test_purchase_must_belong_to_the_customer(api, chain):
    other = PurchaseFactory()
    r = post(api("cs_agent"), "/api/v1/tickets", {**NEW, "purchase_id": other.pk})
    assert r.status_code == 422 and r.json()["field"] == "purchase_id"
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"type": "gossip"}, "type"),
        ({"channel": "fax"}, "channel"),
        ({"store": "XX999"}, "store"),
        ({"customer": {"name": "张伟", "phone": "12345"}}, "customer.phone"),
        ({"subject": ""}, "subject"),
        ({"priority": "now"}, "priority"),
        ({"surprise": 1}, "surprise"),
        ({"customer": {"phone": "13912345678"}}, "customer.name"),
    ],
)
def test_bad_input_is_422_in_chinese_naming_the_field_and_writes_nothing(api, chain, patch, field):
    r = post(api("cs_agent"), "/api/v1/tickets", {**NEW, **patch})
    assert r.status_code == 422, r.content
    body = r.json()
    # The path for programs; the detail names the field in Chinese (工单类型：, 顾客·手机号：).
    with translation.override("zh-hans"):
        label = field_label(field)
    assert body["field"] == field and label in body["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body[
        "detail"
    ]  # zh-hans by default
    assert Ticket.objects.count() == 0 and Customer.objects.count() == 0


def test_errors_speak_english_when_asked(api, chain):
    r = post(
        api("cs_agent"), "/api/v1/tickets", {**NEW, "type": "gossip"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 422 and "not one of the allowed values" in r.json()["detail"]


def test_invalid_json_is_a_422_not_a_500(api, chain):
    r = api("cs_agent").post("/api/v1/tickets", data="{not json", content_type="application/json")
    assert r.status_code in (400, 422)


def test_no_credentials_or_a_forged_token_is_401(client, chain):
    assert client.get("/api/v1/tickets").status_code == 401
    assert (
        client.get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer kf_0000_forged").status_code == 401
    )
    r = client.post("/api/v1/tickets", data=json.dumps(NEW), content_type="application/json")
    assert r.status_code == 401


def test_list_is_newest_first_paged_and_filtered(api, chain, users):
    stores = chain["stores"]
    tickets = [open_ticket(stores["SH001"], subject=f"冰箱问题{i}") for i in range(5)]
    open_ticket(stores["SH001"], type="complaint", subject="投诉店员")
    r = api("cs_agent").get("/api/v1/tickets?limit=2&offset=1&type=fault_report").json()
    assert r["count"] == 5 and [t["id"] for t in r["items"]] == [tickets[3].id, tickets[2].id]
    assert api("cs_agent").get("/api/v1/tickets?limit=101").status_code == 422


def test_list_filters_by_status_store_assignee_and_tier(api, chain, users):
    from kefu.tickets import services

    stores = chain["stores"]
    a = open_ticket(stores["SH001"])
    b = open_ticket(stores["SH002"])
    services.assign(actor=users["cs_agent"], ticket=a, assignee="staff_sh001")
    services.escalate(actor=users["cs_agent"], ticket=b, reason="顾客要求店长处理")
    client = api("cs_agent")
    ids = lambda url: [t["id"] for t in client.get(url).json()["items"]]  # noqa: E731
    assert ids("/api/v1/tickets?store=SH002") == [b.id]
    assert ids("/api/v1/tickets?assignee=staff_sh001") == [a.id]
    assert ids("/api/v1/tickets?assignee=none") == [b.id]
    assert ids("/api/v1/tickets?escalation_tier=store_manager") == [b.id]
    assert ids("/api/v1/tickets?status=open&status=new") == [b.id, a.id]
    assert ids("/api/v1/tickets?status=resolved") == []


def test_list_masks_phones_and_detail_reveals_them_with_an_audit_entry(api, chain, users):
    ticket = open_ticket(chain["stores"]["SH001"], customer=CustomerFactory(phone="13912345678"))
    listed = api("cs_agent").get("/api/v1/tickets").json()["items"][0]
    assert listed["customer"]["phone"] == "139****5678"
    assert PiiReveal.objects.count() == 0
    shown = api("cs_agent").get(f"/api/v1/tickets/{ticket.id}").json()
    assert shown["customer"]["phone"] == "13912345678"
    reveal = PiiReveal.objects.get()
    assert reveal.user == users["cs_agent"] and reveal.context == f"api:ticket:{ticket.id}"


def test_keyword_search_finds_chinese_words(api, chain):
    hit = open_ticket(
        chain["stores"]["SH001"], subject="空调漏水", description="客厅的空调一直往下滴水"
    )
    open_ticket(chain["stores"]["SH001"], subject="冰箱不制冷", description="冷藏室温度高")
    r = api("cs_agent").get("/api/v1/tickets", {"q": "空调 漏水"}).json()
    assert [t["id"] for t in r["items"]] == [hit.id]
    assert (
        api("cs_agent").get("/api/v1/tickets", {"q": hit.number}).json()["items"][0]["id"] == hit.id
    )


def test_detail_has_the_timeline_and_an_etag(api, chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    post(
        api("staff_sh001"),
        f"/api/v1/tickets/{ticket.id}/replies",
        {"body": "张先生您好，师傅明天上门。"},
    )
    post(
        api("staff_sh001"),
        f"/api/v1/tickets/{ticket.id}/replies",
        {"body": "配件需调货", "public": False},
    )
    r = api("staff_sh001").get(f"/api/v1/tickets/{ticket.id}")
    assert r.status_code == 200 and r["ETag"] == '"3"'
    kinds = [(e["kind"], e["public"]) for e in r.json()["timeline"]]
    assert kinds == [("created", False), ("reply", True), ("note", False)]


def test_reply_status_assign_escalate_endpoints(api, chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    client = api("manager_sh001")
    url = f"/api/v1/tickets/{ticket.id}"
    assert post(client, url + "/replies", {"body": "您好，我们马上处理。"}).status_code == 201
    assert (
        post(client, url + "/assign", {"assignee": "staff_sh001"}).json()["assignee"]
        == "staff_sh001"
    )
    r = post(client, url + "/status", {"status": "pending_customer", "note": "等待顾客发照片"})
    assert r.json()["status"] == "pending_customer"
    r = post(client, url + "/escalate", {"reason": "需要区域经理协调换货"})
    assert r.json()["escalation_tier"] == "store_manager" and r.json()["assignee"] is None


def test_escalating_past_the_top_is_409_with_a_message(api, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    client = api("cs_manager")
    for _ in range(3):
        assert (
            post(client, f"/api/v1/tickets/{ticket.id}/escalate", {"reason": "升级"}).status_code
            == 200
        )
    r = post(client, f"/api/v1/tickets/{ticket.id}/escalate", {"reason": "升级"})
    assert r.status_code == 409 and "客户服务部" in r.json()["detail"]


def test_invalid_transition_is_409_and_changes_nothing(api, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    client = api("cs_agent")
    post(client, f"/api/v1/tickets/{ticket.id}/status", {"status": "resolved"})
    post(client, f"/api/v1/tickets/{ticket.id}/status", {"status": "closed"})
    r = post(client, f"/api/v1/tickets/{ticket.id}/status", {"status": "on_hold"})
    assert r.status_code == 409 and r.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.version == 3


def test_stale_if_match_is_409(api, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    client = api("cs_agent")
    assert (
        post(
            client, f"/api/v1/tickets/{ticket.id}/replies", {"body": "您好"}, HTTP_IF_MATCH='"1"'
        ).status_code
        == 201
    )
    r = post(
        client, f"/api/v1/tickets/{ticket.id}/status", {"status": "resolved"}, HTTP_IF_MATCH='"1"'
    )
    assert r.status_code == 409 and r.json()["code"] == "stale"
    r = post(client, f"/api/v1/tickets/{ticket.id}/status", {"status": "resolved", "version": 2})
    assert r.status_code == 200


def test_patch_changes_priority_and_tags_on_the_timeline(api, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    r = api("cs_agent").patch(
        f"/api/v1/tickets/{ticket.id}",
        data=json.dumps({"priority": "urgent", "tags": ["媒体", "VIP"]}),
        content_type="application/json",
    )
    assert (
        r.status_code == 200
        and r.json()["priority"] == "urgent"
        and sorted(r.json()["tags"]) == ["VIP", "媒体"]
    )
    assert r.json()["timeline"][-1]["kind"] == "updated"


def test_list_query_count_does_not_grow_with_rows(api, chain, django_assert_max_num_queries):
    for _ in range(3):
        open_ticket(chain["stores"]["SH001"])
    client = api("cs_agent")
    client.get("/api/v1/tickets")  # warm the token lookup path
    with django_assert_max_num_queries(6) as small:
        client.get("/api/v1/tickets")
    for _ in range(20):
        open_ticket(chain["stores"]["SH001"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get("/api/v1/tickets").json()["items"]) == 23


def test_detail_query_count_does_not_grow_with_the_timeline(
    api, chain, users, django_assert_max_num_queries
):
    from kefu.tickets import services

    ticket = open_ticket(chain["stores"]["SH001"])
    client = api("cs_agent")
    with django_assert_max_num_queries(12) as small:
        client.get(f"/api/v1/tickets/{ticket.id}")
    for i in range(15):
        services.add_reply(
            actor=users["cs_agent"], ticket=ticket, body=f"第{i}次回复", public=i % 2 == 0
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(f"/api/v1/tickets/{ticket.id}").json()["timeline"]) == 16


def test_openapi_spec_is_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/tickets" in spec["paths"] and "/api/v1/customers" in spec["paths"]


def test_openapi_spec_is_built_once_and_each_caller_gets_its_own(client):
    from ninja import NinjaAPI

    from kefu.api.urls import api as ninja_api

    fresh = json.loads(json.dumps(ninja_api._build_schema("/api/v1/")))  # keys as JSON has them
    first = client.get("/api/v1/openapi.json").json()
    first["paths"].clear()  # a caller changing its copy changes nobody else's
    served = client.get("/api/v1/openapi.json").json()
    assert served == fresh == ninja_api.get_openapi_schema()
    assert "414" in served["paths"]["/api/v1/tickets"]["post"]["responses"]
    built = []
    original = NinjaAPI.get_openapi_schema
    NinjaAPI.get_openapi_schema = lambda self, **kw: built.append(kw) or original(self, **kw)
    try:
        client.get("/api/v1/openapi.json")
    finally:
        NinjaAPI.get_openapi_schema = original
    assert built == []  # answered from the text kept per process


def test_list_sorts_by_next_sla_due_time(api, chain):
    slow = open_ticket(chain["stores"]["SH001"], type="consultation", priority="low")
    fast = open_ticket(chain["stores"]["SH001"], type="complaint", priority="urgent")
    items = api("cs_agent").get("/api/v1/tickets?sort=due").json()["items"]
    dues = [Ticket.objects.get(pk=t["id"]).sla_due for t in items]
    assert [t["id"] for t in items][:2] == sorted(
        [slow.id, fast.id], key=lambda pk: Ticket.objects.get(pk=pk).sla_due
    )
    assert dues == sorted(dues)
