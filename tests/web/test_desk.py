import re

import pytest
from django.urls import reverse

from kefu.customers.models import PiiReveal
from kefu.tickets.models import Ticket
from tests.factories import CustomerFactory, open_ticket

pytestmark = pytest.mark.django_db


def test_desk_needs_a_login(client, chain):
    r = client.get("/desk/")
    assert r.status_code == 302 and r["Location"].startswith("/desk/login/")


def test_login_page_and_wrong_password(client, chain):
    r = client.post("/desk/login/", {"username": "staff_sh001", "password": "wrong"})
    assert r.status_code == 200 and "用户名或密码错误" in r.content.decode()
    r = client.post("/desk/login/", {"username": "staff_sh001", "password": "pw-kefu-test"})
    assert r.status_code == 302


def test_queue_lists_masked_phones_and_counts(desk, chain):
    open_ticket(
        chain["stores"]["SH001"],
        customer=CustomerFactory(phone="13912345678"),
        subject="冰箱不制冷",
    )
    html = desk("staff_sh001").get("/desk/").content.decode()
    assert "冰箱不制冷" in html and "139****5678" in html and "13912345678" not in html
    assert 'data-testid="queue-count">1 ' in html
    assert PiiReveal.objects.count() == 0


def test_queue_filters_search_and_sort(desk, chain):
    a = open_ticket(chain["stores"]["SH001"], subject="空调漏水", priority="low")
    b = open_ticket(
        chain["stores"]["SH001"], subject="电视黑屏", priority="urgent", type="complaint"
    )
    client = desk("cs_agent")
    assert "空调漏水" in client.get("/desk/?q=漏水").content.decode()
    assert "电视黑屏" not in client.get("/desk/?q=漏水").content.decode()
    html = client.get("/desk/?sort=priority").content.decode()
    assert html.index(b.number) < html.index(a.number)
    assert a.number not in client.get("/desk/?type=complaint").content.decode()


def test_each_queue_row_links_its_ticket_page(desk, chain):
    tickets = [open_ticket(chain["stores"]["SH001"], subject=f"工单{i}") for i in range(3)]
    html = desk("staff_sh001").get("/desk/").content.decode()
    rows = re.findall(r'<tr class="prio-\w+" data-testid="queue-row">.*?</tr>', html)
    assert len(rows) == 3
    for t in tickets:
        (row,) = [r for r in rows if t.number in r]
        url = reverse("desk:ticket", args=[t.pk])
        assert (
            f'<a href="{url}">{t.number}</a>' in row and f'<a href="{url}">{t.subject}</a>' in row
        )


def test_queue_query_count_is_flat(desk, chain, django_assert_max_num_queries):
    client = desk("cs_agent")
    open_ticket(chain["stores"]["SH001"])
    client.get("/desk/")
    with django_assert_max_num_queries(12) as few:
        client.get("/desk/")
    for _ in range(25):
        open_ticket(chain["stores"]["SH002"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/desk/")


def test_ticket_page_shows_full_contact_and_audits_it(desk, chain, users):
    # A customer registered at SH001: on file for the store's staff (see test_trust for others).
    customer = CustomerFactory(phone="13912345678", home_store=chain["stores"]["SH001"])
    ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    html = desk("staff_sh001").get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "13912345678" in html
    assert PiiReveal.objects.filter(
        user=users["staff_sh001"], context=f"desk:ticket:{ticket.id}"
    ).exists()


def test_reply_status_assign_escalate_from_the_desk(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    client = desk("manager_sh001")
    assert (
        client.post(
            f"/desk/tickets/{ticket.id}/reply/",
            {"body": "张先生您好，师傅明天上门。", "public": "1", "version": "1"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/desk/tickets/{ticket.id}/assign/", {"assignee": "staff_sh001", "version": "2"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/desk/tickets/{ticket.id}/status/", {"status": "pending_customer", "version": "3"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/desk/tickets/{ticket.id}/escalate/", {"reason": "顾客要求店长处理", "version": "4"}
        ).status_code
        == 302
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_tier, ticket.assignee, ticket.version) == (
        "pending_customer",
        "store_manager",
        None,
        5,
    )


def test_stale_form_gets_409_and_says_so_in_words(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    desk("staff_sh001").post(
        f"/desk/tickets/{ticket.id}/reply/", {"body": "您好", "public": "1", "version": "1"}
    )
    r = desk("manager_sh001").post(
        f"/desk/tickets/{ticket.id}/status/", {"status": "resolved", "version": "1"}
    )
    html = r.content.decode()
    assert r.status_code == 409 and "其他同事已修改" in html and "刷新工单" in html
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_a_refused_reply_keeps_the_draft(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    desk("staff_sh001").post(
        f"/desk/tickets/{ticket.id}/reply/", {"body": "您好", "public": "1", "version": "1"}
    )
    r = desk("staff_sh001").post(
        f"/desk/tickets/{ticket.id}/reply/", {"body": "我的草稿内容", "public": "1", "version": "1"}
    )
    assert r.status_code == 409 and "我的草稿内容" in r.content.decode()


def test_new_ticket_form_opens_a_ticket_once(desk, chain):
    client = desk("staff_sh001")
    form = {
        "name": "王芳",
        "phone": "13712345678",
        "gender": "female",
        "type": "fault_report",
        "channel": "store",
        "priority": "normal",
        "store": "SH001",
        "subject": "洗衣机不脱水",
        "description": "",
        "form_key": "abc123",
    }
    r = client.post("/desk/tickets/new/", form)
    assert r.status_code == 302
    client.post("/desk/tickets/new/", form)  # double click
    assert Ticket.objects.count() == 1
    bad = client.post("/desk/tickets/new/", {**form, "phone": "123", "form_key": "other"})
    assert bad.status_code == 422 and "不是有效的手机号码" in bad.content.decode()


def test_english_desk(desk, chain):
    client = desk("cs_agent")
    client.post("/i18n/setlang/", {"language": "en", "next": "/desk/"})
    assert "Open tickets" in client.get("/desk/").content.decode()


def test_static_files_are_served_by_the_app(client):
    r = client.get("/static/kefu/kefu.css")
    assert r.status_code == 200 and b"--brand" in b"".join(r.streaming_content)
    assert client.get("/static/kefu/htmx.min.js").status_code == 200


def test_the_top_bar_search_finds_a_closed_ticket_by_number(desk, chain, users):
    from kefu.tickets import services
    from tests.factories import open_ticket

    ticket = open_ticket(chain["stores"]["SH001"])
    services.change_status(actor=users["cs_agent"], ticket=ticket, status="closed")
    page = desk("cs_agent").get("/desk/", {"q": ticket.number}).content.decode()
    assert f"/desk/tickets/{ticket.pk}/" in page
    # The open-tickets view still leaves it out.
    assert (
        f"/desk/tickets/{ticket.pk}/"
        not in desk("cs_agent").get("/desk/?view=open").content.decode()
    )


def test_the_top_bar_offers_only_what_the_role_may_do(desk):
    trainer = desk("trainer").get("/desk/").content.decode()
    assert "/desk/tickets/new/" not in trainer and 'href="/desk/customers/"' not in trainer
    agent = desk("cs_agent").get("/desk/").content.decode()
    assert "/desk/tickets/new/" in agent and 'href="/desk/customers/"' in agent


def test_the_top_bar_gathers_secondary_links_under_menus(desk):
    """A manager's twenty links: the daily ones stand in the bar, the rest under 售后服务 /
    顾客反馈 / 门店登记, each link still there exactly once; a one-link menu stands as a link."""
    from django.utils import translation

    with translation.override("zh-hans"):
        page = desk("manager_sh001").get("/desk/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    menus = re.findall(r'<details class="navmenu"><summary>([^<]+)</summary>(.*?)</details>', html)
    names = {label: body for label, body in menus}
    assert {"售后服务", "顾客反馈", "门店登记"} <= set(names), list(names)
    assert 'href="/desk/registers/lost-found/"' in names["门店登记"]
    assert f'href="{reverse("feedback:followups")}"' in names["顾客反馈"]
    nav = html.split('<nav id="desk-nav"', 1)[1].split("</nav>", 1)[0]
    assert "lost-found" not in nav  # in its menu, not the bar
    assert html.count('href="/desk/registers/lost-found/"') == 1


def test_the_top_bar_links_follow_the_script_prefix_and_the_url_map(users):
    """The bar's URLs are kept per process (kefu.web.addresses): the same as reverse() gives,
    under another script prefix too (Kefu served below /kefu/)."""
    from django.urls import set_script_prefix

    from kefu.web.ticket_page import followable_links

    def links():
        return {link.url_name: url for link, url in followable_links(users["cs_manager"])}

    plain = links()
    assert plain and all(url == reverse(name) for name, url in plain.items())
    set_script_prefix("/kefu/")
    try:
        prefixed = links()
        assert all(prefixed[name] == "/kefu" + url for name, url in plain.items())
    finally:
        set_script_prefix("/")
    assert links() == plain
