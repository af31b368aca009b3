"""A real browser: an agent logs in, opens a ticket and replies; a customer submits a ticket on
the portal and sees the agent's reply through the tracking link."""

import re

import pytest

from tests.factories import CustomerFactory, open_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, username):
    page.goto("/desk/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-kefu-test")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/desk/$"))


def test_agent_logs_in_opens_a_ticket_and_replies(page, chain):
    ticket = open_ticket(
        chain["stores"]["SH001"],
        # registered at the store: its staff see the full contact (kefu.customers disclosure)
        customer=CustomerFactory(
            name="张伟", phone="13912345678", home_store=chain["stores"]["SH001"]
        ),
        subject="空调不制冷",
    )
    login(page, "staff_sh001")
    assert page.locator("[data-testid=queue-count]").inner_text().startswith("1")
    assert "139****5678" in page.content()
    page.click(f"text={ticket.number}")
    page.wait_for_url(re.compile(rf"/desk/tickets/{ticket.id}/$"))
    assert page.locator("[data-testid=customer-phone]").inner_text() == "13912345678"
    page.fill("#reply-body", "张先生您好，维修师傅明天上午到府检修，请您保持电话畅通。")
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector("text=已回复顾客。")
    assert page.locator(".event.kind-reply").last.inner_text().count("维修师傅明天上午") == 1
    assert page.locator(".badge.status-open").first.is_visible()


def test_two_agents_see_a_stale_write_in_words(open_page, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    pages = []
    for username in ("staff_sh001", "manager_sh001"):
        page = open_page()
        login(page, username)
        page.goto(f"/desk/tickets/{ticket.id}/")
        pages.append(page)
    first, second = pages
    first.fill("#reply-body", "您好，我们已收到您的反馈。")
    first.click("#reply-form button[type=submit]")
    first.wait_for_selector("text=已回复顾客。")
    second.select_option("select[name=status]", "resolved")
    second.click("text=更改状态")
    assert "其他同事已修改" in second.locator("[role=alert]").inner_text()


def test_customer_submits_on_the_portal_and_reads_the_reply(page, chain, users):
    from kefu.tickets import services
    from kefu.tickets.models import Ticket

    page.goto("/")
    page.select_option("select[name=type]", "fault_report")
    page.select_option("select[name=store]", "SH001")
    page.fill("input[name=name]", "李娜")
    page.fill("input[name=phone]", "136 1234 5678")
    page.select_option("select[name=gender]", "female")
    page.fill("input[name=subject]", "洗衣机不脱水")
    page.fill("textarea[name=description]", "洗衣机转到脱水就报错 E3。")
    page.check("input[name=consent]")
    # The request form's button (the help search above it has its own).
    page.click("form.form-grid button[type=submit]")
    number = page.locator("[data-testid=ticket-number]").inner_text()
    link = page.locator("[data-testid=tracking-link]").get_attribute("href")
    ticket = Ticket.objects.get(number=number)
    assert link.endswith(f"/t/{ticket.tracking_token}/")

    services.add_reply(
        actor=users["staff_sh001"], ticket=ticket, body="李女士您好，师傅今天下午三点上门检修。"
    )
    page.goto(link)
    assert "师傅今天下午三点上门检修" in page.content()
    page.fill("textarea[name=body]", "好的，我在家等。")
    page.click("button[type=submit]")
    page.wait_for_selector("text=谢谢，您的留言已发送。")
    assert ticket.events.filter(kind="customer_message").count() == 1
