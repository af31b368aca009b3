"""A real browser: the top bar finds a closed ticket by number (grouped results); two tickets
assigned at once from the queue; the queue as cards at 390 px, still selectable, while every
other table keeps its columns, the reports fit a phone; a long filtered list exported from the queue in the background."""

import re
from itertools import pairwise

import pytest
from playwright.sync_api import expect

from kefu.tickets import services
from kefu.tickets.models import EventKind
from tests.factories import CustomerFactory, PurchaseFactory, open_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, username):
    page.goto("/desk/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-kefu-test")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/desk/$"))


def test_the_top_bar_finds_a_closed_ticket_by_number_grouped(page, chain, users):
    ticket = open_ticket(
        chain["stores"]["SH001"],
        subject="洗衣机漏水",
        customer=CustomerFactory(name="刘伟", phone="13987654321"),
    )
    services.change_status(actor=users["cs_agent"], ticket=ticket, status="closed")
    login(page, "cs_agent")
    box = page.locator("[data-testid=top-search]")
    box.fill(ticket.number.lower())
    box.press("Enter")
    page.wait_for_url(re.compile(r"/desk/search/"))
    hit = page.locator("[data-testid=search-tickets] [data-testid=search-ticket]")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("已关闭")
    expect(hit).to_contain_text("139****4321")
    hit.locator("a").click()
    page.wait_for_url(re.compile(rf"/desk/tickets/{ticket.id}/$"))
    # Customers by pinyin initials, in their own group.
    box = page.locator("[data-testid=top-search]")
    box.fill("lw")
    box.press("Enter")
    expect(
        page.locator("[data-testid=search-customers] [data-testid=search-customer]")
    ).to_contain_text("刘伟")


def test_bulk_assign_two_tickets_from_the_queue(page, chain, users):
    a = open_ticket(chain["stores"]["SH001"], subject="冰箱不制冷")
    b = open_ticket(chain["stores"]["SH001"], subject="空调异响")
    c = open_ticket(chain["stores"]["SH001"], subject="电视黑屏")
    login(page, "manager_sh001")
    assign = page.locator("[data-testid=bulk-assign]")
    expect(assign).to_be_disabled()
    page.get_by_label(f"选择 {a.number}").check()
    page.get_by_label(f"选择 {b.number}").check()
    expect(page.locator("[data-testid=bulk-count]")).to_have_text("已选 2 张")
    page.select_option("[data-testid=bulk-assignee]", "staff_sh001")
    assign.click()
    expect(page.locator(".flash")).to_contain_text("已处理 2 张工单。")
    for t in (a, b):
        t.refresh_from_db()
        assert t.assignee == users["staff_sh001"]
        assert t.events.filter(kind=EventKind.ASSIGNED).count() == 1
    c.refresh_from_db()
    assert c.assignee is None
    # From the keyboard: x on a ticket's link selects it; Space on 全选本页 selects them all.
    page.focus(f"a:text('{c.number}')")
    page.keyboard.press("x")
    expect(page.locator("[data-testid=bulk-count]")).to_have_text("已选 1 张")
    page.focus("[data-testid=bulk-all]")
    page.keyboard.press("Space")
    expect(page.locator("[data-testid=bulk-count]")).to_have_text("已选 3 张")


def test_the_queue_is_cards_on_a_phone(open_page, chain):
    tickets = [open_ticket(chain["stores"]["SH001"], subject=f"第{i}张工单") for i in range(3)]
    page = open_page(viewport={"width": 390, "height": 844})
    login(page, "manager_sh001")
    # No sideways scrolling: the page is as wide as the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    rows = page.locator("[data-testid=queue-row]")
    expect(rows).to_have_count(3)
    first = rows.first.bounding_box()
    assert first["width"] <= 390 and first["height"] > 80  # a card, not a one-line row
    card = rows.first
    for cell in (".c-number", ".c-subject", ".c-customer", ".c-status", ".c-due", ".c-prio"):
        assert card.locator(cell).is_visible(), cell
    for cell in (".c-type", ".c-rung", ".c-store", ".c-created"):
        assert not card.locator(cell).is_visible(), cell
    # Bulk select still works; the actions appear once something is selected.
    expect(page.locator("[data-testid=bulk-assign]")).to_be_hidden()
    page.get_by_label(f"选择 {tickets[0].number}").check()
    expect(page.locator("[data-testid=bulk-assign]")).to_be_visible()


def test_other_tables_keep_their_columns_on_a_phone(open_page, chain):
    # The cards are the queue's alone: a customer's purchases (and every other table) keep their
    # header and columns at 390 px and scroll sideways, not collapse into an unlabelled grid.
    ticket = open_ticket(chain["stores"]["SH001"])
    PurchaseFactory(customer=ticket.customer, store=chain["stores"]["SH001"])
    page = open_page(viewport={"width": 390, "height": 844})
    login(page, "manager_sh001")
    page.goto(f"/desk/customers/{ticket.customer_id}/")
    table = page.locator("table.queue").first
    expect(table.locator("thead")).to_be_visible()
    row = table.locator("tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "table-row"
    cells = [c.bounding_box() for c in row.locator("td").all()]
    assert len(cells) == 7
    assert all(a["x"] + a["width"] <= b["x"] + 1 for a, b in pairwise(cells))  # side by side
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls


def test_the_reports_fit_a_phone(open_page, chain):
    # The dashboard's cards held their charts' drawn width: the page was 531 px wide at 390.
    for store in ("SH001", "BJ001"):
        open_ticket(chain["stores"][store])
    page = open_page(viewport={"width": 390, "height": 844})
    login(page, "cs_manager")
    page.goto("/desk/reports/")
    expect(page.locator("#chart-type svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_long_list_exports_from_the_queue_in_the_background(page, chain, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KEFU_EXPORT_INLINE_ROWS = 1
    for _ in range(2):
        open_ticket(chain["stores"]["SH001"])
    open_ticket(chain["stores"]["BJ001"])
    login(page, "cs_manager")
    page.goto("/desk/?view=all&store=SH001")
    page.locator("[data-testid=queue-export-xlsx]").click()
    page.wait_for_url(re.compile(r"/desk/reports/exports/\?new=\d+"))
    expect(page.locator("[data-testid=export-queued]")).to_be_visible()
    row = page.locator("[data-testid=export-jobs] tr.current")
    expect(row).to_contain_text("2 行")
    with page.expect_download() as download:
        row.locator("[data-testid=export-download]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
