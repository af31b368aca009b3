"""The desk ticket page costs a fixed number of queries, whatever the ticket's history.

/desk/tickets/<pk>/ shows panels from five apps (SLA, 三包 after-sales, quality's complaint
guide and QA scorecards, the customer's voice, suggested articles), each registered through
kefu.web.ticket_page.register_panel and loaded by the page after it arrives, in one request.
A query per row added in any of them shows up only here, so the page and its panels are built
with every panel full, measured, and measured again after the timeline and the customer's
history have grown."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kefu.aftersales import services as aftersales_services
from kefu.feedback import services as feedback_services
from kefu.quality import rules as quality_rules
from kefu.quality import services as quality_services
from kefu.tickets import services as ticket_services
from tests.desk_client import load_panels
from tests.factories import CustomerFactory, open_ticket, purchase_bought, technician

pytestmark = pytest.mark.django_db

# Measured on SQLite and PostgreSQL with every panel full (the fixture below). The page:
# session, user and staff; whether the ticket is in the reader's scope, then the ticket with
# its tags (by a statement compiled once per process: one more round trip, ~0.8 ms less CPU),
# events and attachments; the PII-view audit row; the rights; the notification bell;
# purchases, past tickets, colleagues (13; it was 32 with the panels rendered in).
TICKET_PAGE_QUERIES = 13
# The panels' request: its session, user, staff, the ticket (scope, then its row), then what
# each panel reads (SLA clocks and pauses; the after-sales case, orders, visits and
# technicians; the complaint guide and QA reviews; survey, follow-ups and compensation; one
# full-text query for the suggested articles).
PANEL_QUERIES = 25

# Each panel's heading, as its template writes it (msgid); the page is rendered in Chinese.
PANEL_HEADINGS = {
    "sla": "Service levels",
    "aftersales": "After-sales (三包)",
    "complaint guide": "Complaint guide",
    "qa review": "QA scorecards",
    "feedback": "Customer's voice",
}

POLITE = "您好，您反映的情况我们已经记录，马上为您处理。"


def all_scores(score: int) -> dict:
    return {code: {"score": score, "note": ""} for code in quality_rules.standard_codes()}


def compensate(actor, ticket, amount: str):
    return feedback_services.request_compensation(
        actor=actor,
        ticket=ticket,
        kind="cash",
        purpose="goodwill",
        amount=amount,
        reason="答复不及时，致歉补偿",
    )


@pytest.fixture
def ticket(chain, users):
    """A complaint about a purchase on file, with replies, an escalation, a repair order with a
    booked visit, a QA review, compensation (one given, one awaiting approval), the complaint
    guide half done with a root cause, and an answered low-score survey with its follow-up call
    (which reopens the ticket to the store manager)."""
    technician(users["technician"], regions=("east",))
    customer = CustomerFactory(name="张伟", gender="male")
    purchase = purchase_bought(90, customer=customer)
    staff, agent = users["staff_sh001"], users["cs_agent"]
    ticket = open_ticket(
        chain["stores"]["SH001"],
        actor=staff,
        customer=customer,
        purchase_id=purchase.pk,
        type="complaint",
        subject="冰箱噪音很大，店员答复慢",
        description="买了三个月的冰箱夜里噪音很大，问店员两次都没有答复。",
    )
    for _ in range(2):
        ticket_services.add_reply(actor=staff, ticket=ticket, body=POLITE)
    quality_services.tick_step(actor=staff, ticket=ticket, step="opening")
    ticket_services.escalate(actor=staff, ticket=ticket, reason="顾客要求店长处理")
    order = aftersales_services.create_order(
        actor=agent, ticket=ticket, remedy="repair", symptom="噪音大"
    )
    aftersales_services.change_order_status(actor=agent, order=order, status="approved")
    aftersales_services.dispatch_visit(
        actor=agent,
        ticket=ticket,
        kind="repair",
        date=timezone.localdate() + datetime.timedelta(days=1),
        window="09-12",
        technician="technician",
        order_id=order.pk,
    )
    quality_services.record_review(reviewer=users["qa"], ticket=ticket, scores=all_scores(4))
    compensate(staff, ticket, "50.00")
    compensate(staff, ticket, "300.00")
    quality_services.set_root_cause(actor=agent, ticket=ticket, code="slow_service")
    ticket = ticket_services.change_status(actor=agent, ticket=ticket, status="resolved")
    feedback_services.answer_survey(
        token=ticket.survey.token, csat=2, answers={"timely": 2, "attitude": 3, "solved": 2}
    )
    ticket.refresh_from_db()
    return ticket


def get_page(client, ticket) -> tuple[str, int, int]:
    """The page as the browser shows it, its own queries, and its panels' queries."""
    with CaptureQueriesContext(connection) as queries:
        r = client.get(f"/desk/tickets/{ticket.pk}/", panels=False)
    assert r.status_code == 200
    with CaptureQueriesContext(connection) as panel_queries:
        load_panels(client, r)
    return r.content.decode(), len(queries), len(panel_queries)


def assert_every_panel_is_full(page: str):
    """Each panel by its heading, and with content, so a panel that silently disappears (or
    renders empty) fails the test instead of making the page cheaper."""
    with translation.override("zh-hans"):
        for panel, heading in PANEL_HEADINGS.items():
            assert f"<h2>{translation.gettext(heading)}</h2>" in page, panel
    for content in (
        r'data-target="first_response"',  # an SLA clock
        r'data-order="\d+"',  # the repair order
        r'href="/desk/aftersales/visits/\d+/"',  # its booked visit
        r'data-testid="step-opening"',
        r'data-testid="root-cause"',
        r'href="/desk/quality/reviews/\d+/"',  # the QA scorecard
        r'data-testid="csat"',
        r'href="/desk/feedback/followups/\d+/"',  # the follow-up call
        r'data-testid="compensation-\d+"',
    ):
        assert re.search(content, page), content


def test_the_ticket_page_costs_a_fixed_number_of_queries(desk, chain, users, ticket):
    client = desk("cs_manager")
    client.get(f"/desk/tickets/{ticket.pk}/")  # per-process caches (rules, policies) filled

    page, before, panels_before = get_page(client, ticket)
    assert before <= TICKET_PAGE_QUERIES and panels_before <= PANEL_QUERIES
    assert_every_panel_is_full(page)

    # 10 more timeline events, by three people, and 5 more tickets of the same customer.
    events = ticket.events.count()
    for i in range(4):
        ticket_services.add_reply(actor=users["manager_sh001"], ticket=ticket, body=POLITE)
        ticket_services.add_reply(
            actor=users["cs_agent"], ticket=ticket, body=f"内部备注 {i}", public=False
        )
    compensate(users["manager_sh001"], ticket, "20.00")
    compensate(users["staff_sh001"], ticket, "120.00")
    # (The compensation awaiting approval adds a notice event of its own.)
    assert ticket.events.count() >= events + 10
    for _ in range(5):
        open_ticket(chain["stores"]["SH001"], customer=ticket.customer, subject="冰箱又响了")

    page, after, panels_after = get_page(client, ticket)
    assert_every_panel_is_full(page)
    assert page.count("冰箱又响了") == 5  # the customer's past tickets
    assert (after, panels_after) == (before, panels_before)


def test_a_refused_action_renders_the_panels_into_the_page(desk, ticket):
    """A refusal re-renders the page with what the agent posted (their panel's form keeps it),
    so its panels are rendered in place, not loaded afterwards."""
    r = desk("cs_manager").post(
        f"/desk/tickets/{ticket.pk}/status/", {"status": "open", "version": 1}
    )
    assert r.status_code == 409
    page = r.content.decode()
    assert 'class="panel-slot"' not in page
    assert_every_panel_is_full(page)


# Statements Django compiles for the page and for its panels once the process has read a
# ticket page: the signed-in user, the reads that follow the reader's scope (the ticket's scope
# check, purchases, past tickets, QA scorecards, suggested articles …) and the prefetches (tags,
# attachments, survey answers). The session, the ticket, its timeline, clocks, orders, visits,
# technicians, guide, survey, follow-ups, compensation and the bell are compiled once per
# process (kefu.rows.prepared, kefu.web.sessions).
COMPILED_PAGE, COMPILED_PANELS = 7, 7


def test_the_ticket_page_compiles_only_its_scoped_reads(desk, ticket, monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    client = desk("cs_manager")
    get_page(client, ticket)
    compiled: list = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model.__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    r = client.get(f"/desk/tickets/{ticket.pk}/", panels=False)
    page = list(compiled)
    compiled.clear()
    load_panels(client, r)
    assert (len(page), len(compiled)) == (COMPILED_PAGE, COMPILED_PANELS), (page, compiled)
