"""The queue's bulk actions (each ticket its own transaction, refusals reported in Chinese),
saved views per agent (shared by managers), and the top bar's grouped search."""

import pytest

from kefu.customers.models import PiiReveal
from kefu.errors import InvalidInput, NotFound
from kefu.tickets import services
from kefu.tickets.models import EventKind, SavedView, Ticket, TicketEvent
from tests.factories import CustomerFactory, PurchaseFactory, open_ticket

pytestmark = pytest.mark.django_db


def events(ticket, kind):
    return TicketEvent.objects.filter(ticket=ticket, kind=kind).count()


# ------------------------------------------------------------------ bulk actions


def test_bulk_assign_from_the_queue_gives_each_ticket_an_event(desk, chain, users):
    a = open_ticket(chain["stores"]["SH001"], subject="冰箱不制冷")
    b = open_ticket(chain["stores"]["SH001"], subject="洗衣机漏水")
    client = desk("manager_sh001")
    r = client.post(
        "/desk/bulk/",
        {"ids": [a.pk, b.pk], "action": "assign", "assignee": "staff_sh001", "next": "/desk/"},
        follow=True,
    )
    html = r.content.decode()
    assert "已处理 2 张工单。" in html
    for t in (a, b):
        t.refresh_from_db()
        assert t.assignee == users["staff_sh001"] and t.status == "open"
        assert events(t, EventKind.ASSIGNED) == 1


def test_a_refused_ticket_is_reported_and_the_others_still_change(desk, chain, users):
    closed = open_ticket(chain["stores"]["SH001"], subject="已关闭的")
    services.change_status(actor=users["cs_agent"], ticket=closed, status="closed")
    fresh = open_ticket(chain["stores"]["SH001"], subject="新工单")
    r = desk("cs_agent").post(
        "/desk/bulk/",
        {"ids": [closed.pk, fresh.pk], "action": "status", "status": "resolved"},
        follow=True,
    )
    html = r.content.decode()
    assert "已处理 1 张工单。" in html
    assert f"{closed.number} 未处理：" in html and "已关闭" in html
    fresh.refresh_from_db()
    closed.refresh_from_db()
    assert fresh.status == "resolved" and closed.status == "closed"
    assert events(closed, EventKind.STATUS) == 1  # only the close itself


def test_a_workflow_check_refuses_one_ticket_in_chinese(chain, users):
    complaint = open_ticket(chain["stores"]["SH001"], type="complaint", subject="服务态度差")
    fault = open_ticket(chain["stores"]["SH001"])
    result = services.bulk_apply(
        actor=users["cs_agent"],
        ticket_ids=[complaint.pk, fault.pk],
        action="status",
        value="resolved",
    )
    assert [t.pk for t in result["done"]] == [fault.pk]
    ((pk, number, exc),) = result["refused"]
    assert (pk, number) == (complaint.pk, complaint.number)
    assert "根本原因" in exc.text() or "根因" in exc.text(), exc.text()
    complaint.refresh_from_db()
    assert complaint.status == "new"


def test_tickets_outside_the_scope_are_not_found_and_unchanged(desk, chain):
    elsewhere = open_ticket(chain["stores"]["BJ001"])
    r = desk("staff_sh001").post(
        "/desk/bulk/", {"ids": [elsewhere.pk], "action": "add_tag", "tag": "加急"}, follow=True
    )
    html = r.content.decode()
    assert f"工单 #{elsewhere.pk} 未处理：" in html and elsewhere.number not in html
    assert not elsewhere.tags.exists()


def test_store_staff_may_only_take_tickets_themselves(chain, users):
    t = open_ticket(chain["stores"]["SH001"])
    result = services.bulk_apply(
        actor=users["staff_sh001"], ticket_ids=[t.pk], action="assign", value="manager_sh001"
    )
    assert result["done"] == [] and result["refused"][0][2].status == 403
    result = services.bulk_apply(
        actor=users["staff_sh001"], ticket_ids=[t.pk], action="assign", value="staff_sh001"
    )
    assert [x.pk for x in result["done"]] == [t.pk]


def test_bulk_tags_add_and_remove_keep_the_other_tags(chain, users):
    a = open_ticket(chain["stores"]["SH001"], tags=["待发票"])
    b = open_ticket(chain["stores"]["SH001"])
    agent = users["cs_agent"]
    result = services.bulk_apply(
        actor=agent, ticket_ids=[a.pk, b.pk], action="add_tag", value="加急"
    )
    assert len(result["done"]) == 2
    assert sorted(a.tags.values_list("name", flat=True)) == ["加急", "待发票"]
    result = services.bulk_apply(
        actor=agent, ticket_ids=[a.pk, b.pk], action="remove_tag", value="待发票"
    )
    assert [t.pk for t in result["done"]] == [a.pk]
    assert result["refused"][0][2].text() == "没有需要修改的内容。"
    assert list(a.tags.values_list("name", flat=True)) == ["加急"]
    assert events(a, EventKind.UPDATED) == 2 and events(b, EventKind.UPDATED) == 1


def test_bad_bulk_requests_change_nothing(chain, users):
    t = open_ticket(chain["stores"]["SH001"])
    agent = users["cs_agent"]
    for ids, action, value in (
        ([], "status", "resolved"),
        ([t.pk], "delete", ""),
        ([t.pk], "status", "gone"),
        (list(range(1, 200)), "status", "resolved"),
        ([t.pk], "assign", "nobody_here"),
        ([t.pk], "add_tag", ""),
    ):
        with pytest.raises(InvalidInput):
            services.bulk_apply(actor=agent, ticket_ids=ids, action=action, value=value)
    t.refresh_from_db()
    assert t.status == "new" and t.version == 1


def test_bulk_api_lists_done_and_refused(api, chain, users):
    a = open_ticket(chain["stores"]["SH001"])
    b = open_ticket(chain["stores"]["BJ001"])
    r = api("manager_sh001").post(
        "/api/v1/tickets/bulk",
        {"ids": [a.pk, b.pk], "action": "status", "value": "pending_customer"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["done"] == [a.pk]
    assert body["refused"] == [
        {"id": b.pk, "number": None, "code": "not_found", "detail": NotFound().text()}
    ]
    assert "未找到" in body["refused"][0]["detail"]
    assert Ticket.objects.get(pk=b.pk).status == "new"


def test_the_queue_offers_the_bulk_bar_with_a_box_per_ticket(desk, chain):
    t = open_ticket(chain["stores"]["SH001"])
    html = desk("staff_sh001").get("/desk/").content.decode()
    assert 'data-testid="bulk-bar"' in html and f'name="ids" value="{t.pk}"' in html
    # Store staff take tickets themselves: only their own name in the assign select.
    assert 'value="manager_sh001"' not in html


# ------------------------------------------------------------------ saved views


def test_an_agent_saves_renames_and_deletes_a_view(desk, chain, users):
    client = desk("cs_agent")
    r = client.post(
        "/desk/views/",
        {
            "name": "上海紧急",
            "filters": "store=SH001&status=new&status=open&sort=priority&page=3&x=1",
        },
    )
    view = SavedView.objects.get(owner=users["cs_agent"])
    assert view.filters == {"status": ["new", "open"], "store": "SH001", "sort": "priority"}
    assert (
        r.status_code == 302
        and "store=SH001" in r["Location"]
        and f"saved={view.pk}" in r["Location"]
    )
    html = client.get(r["Location"]).content.decode()
    assert "上海紧急" in html and 'aria-current="page"' in html
    assert "上海紧急" not in desk("cs_manager").get("/desk/").content.decode()
    # Only the owner renames or deletes.
    assert desk("cs_manager").post(f"/desk/views/{view.pk}/delete/").status_code == 404
    client.post(f"/desk/views/{view.pk}/rename/", {"name": "上海门店紧急"})
    view.refresh_from_db()
    assert view.name == "上海门店紧急"
    client.post(f"/desk/views/{view.pk}/delete/")
    assert not SavedView.objects.exists()


def test_a_store_manager_shares_a_view_with_the_store_only(desk, chain, users):
    desk("manager_sh001").post(
        "/desk/views/", {"name": "本店待回复", "filters": "status=open", "shared": "1"}
    )
    assert "本店待回复" in desk("staff_sh001").get("/desk/").content.decode()
    assert "本店待回复" not in desk("staff_bj001").get("/desk/").content.decode()
    # Store staff may not share.
    r = desk("staff_sh001").post(
        "/desk/views/", {"name": "我的", "filters": "status=open", "shared": "1"}, follow=True
    )
    assert "只有主管可以把视图共享给同事。" in r.content.decode()
    assert not SavedView.objects.filter(owner=users["staff_sh001"]).exists()


def test_a_view_name_is_required_and_unique_per_owner(chain, users):
    agent = users["cs_agent"]
    with pytest.raises(InvalidInput):
        services.save_view(actor=agent, name=" ", filters={})
    services.save_view(actor=agent, name="甲", filters={"q": "漏水"})
    b = services.save_view(actor=agent, name="乙", filters={})
    with pytest.raises(Exception) as exc:
        services.rename_view(actor=agent, view_id=b.pk, name="甲")
    assert "您已有名为“甲”的视图。" in exc.value.text()


# ------------------------------------------------------------------ search


def test_search_finds_closed_and_resolved_tickets_by_number(desk, chain, users):
    closed = open_ticket(chain["stores"]["SH001"], subject="洗衣机漏水")
    services.change_status(actor=users["cs_agent"], ticket=closed, status="closed")
    resolved = open_ticket(chain["stores"]["SH001"], subject="空调异响")
    services.change_status(actor=users["cs_agent"], ticket=resolved, status="resolved")
    client = desk("staff_sh001")
    for q in (
        closed.number,
        closed.number.lower(),
        closed.number[3:],
        closed.number.replace("-", "")[2:],
    ):
        html = client.get("/desk/search/", {"q": q}).content.decode()
        assert "洗衣机漏水" in html, q
    assert "空调异响" in client.get("/desk/search/", {"q": resolved.number}).content.decode()
    # Outside the reader's scope: nothing.
    assert (
        "洗衣机漏水"
        not in desk("staff_bj001").get("/desk/search/", {"q": closed.number}).content.decode()
    )


def test_search_finds_customers_by_pinyin_in_scope_masked(desk, chain):
    liu = CustomerFactory(name="刘伟", phone="13987654321", home_store=chain["stores"]["SH001"])
    open_ticket(chain["stores"]["SH001"], customer=liu, subject="热水器不出热水")
    client = desk("staff_sh001")
    for q in ("liuwei", "lw", "LiuWei", "刘"):
        html = client.get("/desk/search/", {"q": q}).content.decode()
        assert 'data-testid="search-customer"' in html and "刘伟" in html, q
        # Their tickets too, though no ticket's words are in pinyin.
        tickets = html.split('data-testid="search-tickets"')[1].split(
            'data-testid="search-customers"'
        )[0]
        assert "热水器不出热水" in tickets, q
        assert "139****4321" in html and "13987654321" not in html
    assert "刘伟" not in desk("staff_bj001").get("/desk/search/", {"q": "liuwei"}).content.decode()
    assert PiiReveal.objects.count() == 0


def test_search_finds_purchases_by_serial_in_scope(desk, chain):
    customer = CustomerFactory(name="王芳", phone="13911112222")
    PurchaseFactory(customer=customer, store=chain["stores"]["SH001"], serial="SN20260001")
    html = desk("staff_sh001").get("/desk/search/", {"q": "sn20260001"}).content.decode()
    assert 'data-testid="search-purchase"' in html and "SN20260001" in html
    assert "139****2222" in html and "13911112222" not in html
    html = desk("staff_bj001").get("/desk/search/", {"q": "SN20260001"}).content.decode()
    assert "SN20260001" not in html.split('data-testid="search-purchases"')[1]


def test_search_for_qa_shows_tickets_with_customers_masked_and_no_customer_list(desk, chain):
    liu = CustomerFactory(name="刘伟", phone="13987654321", home_store=chain["stores"]["SH001"])
    t = open_ticket(chain["stores"]["SH001"], customer=liu, subject="电视黑屏")
    html = desk("qa").get("/desk/search/", {"q": t.number}).content.decode()
    assert "电视黑屏" in html and "刘伟" not in html
    html = desk("qa").get("/desk/search/", {"q": "liuwei"}).content.decode()
    assert 'data-testid="search-customer"' not in html
