"""The desk and the portal meet WCAG 2 A and AA as axe-core checks them, in a real browser.

Over a small demo, the CS manager (who sees every menu) opens every page the top bar and its
menus lead to, a store manager and a technician their first page and a ticket of theirs, and a
customer the portal's pages and a 404. axe-core (the engine of the browsers' own accessibility audits, bundled by
axe-playwright-python) runs on each: no violation of the wcag2a/wcag2aa rules — text that
store staff can read (contrast), links told apart without colour, every field labelled; and
on a phone (390 px) no page wider than the screen.
The first run of this test found grey and amber text under 4.5:1, links inside sentences
shown by colour alone, and unlabelled date fields and a store filter."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from kefu.feedback.seed import seed_defaults
from kefu.knowledge.seed import seed_articles, seed_macros
from kefu.sla.seed import seed_all
from kefu.tickets.models import Ticket
from kefu.web.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Each reader, and whether they open every page of the top bar or only their first page.
READERS = {"cs_manager": True, "manager_sh001": False, "tech_sh": False}
NOT_PAGES = re.compile(r"/logout/|/export|/download/|format=|/erase/|/attachments/")
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}


def violations(axe, page) -> list[str]:
    found = axe.run(page, options=RULES).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:120]}" for v in found]


def test_desk_and_portal_pages_have_no_wcag_violations_and_fit_a_phone(open_page):
    # What migrations seed (compensation limits, SLA policies, articles), which an earlier
    # transactional test's flush emptied, then the demo over it.
    seed_defaults(), seed_all(), seed_articles(), seed_macros()
    load_demo(n_customers=20, n_tickets=60)
    axe = Axe()
    failures = {}
    for username, every_page in READERS.items():
        page = open_page(viewport={"width": 1366, "height": 900})
        page.goto("/desk/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        links = page.eval_on_selector_all(
            ".topbar a[href^='/desk/']" if every_page else "a[href^='/desk/tickets/']",
            "links => links.map(a => a.getAttribute('href'))",
        )
        shapes = {}
        for url in [page.url, *links]:
            shape = re.sub(r"\d+", "N", url.split("?")[0])
            if shape in shapes or NOT_PAGES.search(url):
                continue
            shapes[shape] = url
            page.goto(url)
            if "/tickets/" in url:  # its panels arrive after it
                page.wait_for_load_state("networkidle")
            found = violations(axe, page)
            if found:
                failures[f"{username} {url}"] = found
        assert any("/tickets/" in s for s in shapes), username
        # The same pages on a phone: nothing wider than the screen (a table scrolls inside
        # its own box; the page itself never scrolls sideways).
        page.set_viewport_size({"width": 390, "height": 844})
        for url in shapes.values():
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                failures[f"{username} {url} at 390 px"] = [f"the page is {width} px wide"]
    customer = open_page(viewport={"width": 390, "height": 844})
    token = Ticket.objects.order_by("-id").values_list("tracking_token", flat=True).first()
    for url in ("/", "/help/", f"/t/{token}/", "/no-such-page/"):
        customer.goto(url)
        found = violations(axe, customer)
        if found:
            failures[f"portal {url}"] = found
    assert not failures, failures
