"""SLA in the desk: queue countdown badges and the "due" sort, the ticket page's clocks panel
with its solution-timetable form, and the managers' "breaching soon" view."""

import re

import pytest
import time_machine

from kefu.tickets import services as tickets
from kefu.tickets.models import Ticket
from tests.factories import open_ticket
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db


def badges(html: str) -> list[str]:
    return re.findall(r'data-sla="(\w+)"', html)


def test_queue_sorts_by_next_due_with_green_amber_red_badges(desk, chain, users):
    store = chain["stores"]["SH001"]
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        later = open_ticket(
            store, type="consultation", subject="咨询"
        )  # due 03-03 10:00, warns 03-03 04:00
        soon = open_ticket(store, type="complaint", subject="投诉")  # due 14:00, warns 13:00
        waiting = open_ticket(store, type="consultation", subject="等待客户")
        tickets.change_status(actor=users["cs_agent"], ticket=waiting, status="pending_customer")
    with time_machine.travel(at(2026, 3, 2, 13, 30), tick=False):
        html = desk("manager_sh001").get("/desk/?view=open&sort=due").content.decode()
    order = [int(n) for n in re.findall(r'href="/desk/tickets/(\d+)/">KF-', html)]
    assert order == [soon.pk, later.pk, waiting.pk]  # paused and owing nothing: last
    assert badges(html) == ["warn", "ok", "paused"]
    assert 'value="due" selected' in html
    with time_machine.travel(at(2026, 3, 2, 14, 5), tick=False):
        html = (
            desk("manager_sh001")
            .get("/desk/?view=open&sort=due", HTTP_ACCEPT_LANGUAGE="en")
            .content.decode()
        )
    assert badges(html)[0] == "late" and ">overdue 5m<" in html


def test_ticket_page_shows_clocks_pauses_and_breaches(desk, chain, users):
    from kefu.sla.services import sweep

    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="fault_report")
    with time_machine.travel(at(2026, 3, 3, 10, 1), tick=False):
        sweep()
        tickets.change_status(actor=users["cs_agent"], ticket=ticket, status="on_hold")
        html = desk("cs_agent").get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="sla-panel"' in html
    assert 'data-target="first_response" data-state="paused"' in html
    assert 'data-target="resolution"' in html
    assert 'data-testid="sla-breached"' in html
    pauses = html.split('data-testid="sla-pauses"')[1].split("</ul>")[0]
    assert "03-03 10:01" in pauses


def test_the_timetable_form_sets_the_promise_and_stops_the_waiting_clock(desk, chain, users):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="complaint")
        tickets.add_reply(actor=users["staff_sh001"], ticket=ticket, body="您好，非常抱歉。")
        ticket.refresh_from_db()
        page = desk("staff_sh001").get(f"/desk/tickets/{ticket.pk}/").content.decode()
        assert 'name="promised_at"' in page
        r = desk("staff_sh001").post(
            f"/desk/sla/tickets/{ticket.pk}/timetable/",
            {"promised_at": "2026-03-04T18:00", "note": "", "version": ticket.version},
        )
    assert r.status_code == 302
    t = Ticket.objects.get(pk=ticket.pk)
    assert t.solution_promised_at == at(2026, 3, 4, 18) and t.first_response_due is None


def test_a_bad_timetable_re_renders_the_page_with_the_error(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"], type="complaint")
    r = desk("staff_sh001").post(
        f"/desk/sla/tickets/{ticket.pk}/timetable/",
        {"promised_at": "tomorrow", "version": ticket.version},
    )
    assert r.status_code == 422 and 'role="alert"' in r.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).solution_promised_at is None


def test_breaching_soon_view_is_for_managers_in_their_scope(desk, chain):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        sh = open_ticket(chain["stores"]["SH001"], type="complaint", subject="上海投诉")
        open_ticket(chain["stores"]["BJ001"], type="complaint", subject="北京投诉")
    with time_machine.travel(at(2026, 3, 2, 12), tick=False):
        html = desk("manager_sh001").get("/desk/sla/breaching/").content.decode()
        assert "上海投诉" in html and "北京投诉" not in html
        assert 'data-testid="breaching-soon"' in html  # the top-bar link
        assert (
            "上海投诉"
            not in desk("manager_sh001").get("/desk/sla/breaching/?within=1").content.decode()
        )
        staff = desk("staff_sh001")
        assert staff.get("/desk/sla/breaching/").status_code == 403
        assert 'data-testid="breaching-soon"' not in staff.get("/desk/").content.decode()
    assert sh.pk


def test_breaching_soon_separates_overdue_tickets_from_those_about_to_breach(desk, chain):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        open_ticket(chain["stores"]["SH001"], type="complaint", subject="早已超时的投诉")
    with time_machine.travel(at(2026, 3, 5, 10), tick=False):
        open_ticket(chain["stores"]["SH001"], type="complaint", subject="刚来的投诉")
    with time_machine.travel(at(2026, 3, 5, 11), tick=False):
        html = desk("manager_sh001").get("/desk/sla/breaching/?within=24").content.decode()
    overdue, soon = html.split('data-testid="sla-due-soon"')
    assert "已超时" in overdue and "早已超时的投诉" in overdue and "刚来的投诉" not in overdue
    assert "即将超时" in soon and "刚来的投诉" in soon and "早已超时的投诉" not in soon


def test_the_sla_panel_names_the_policy_and_calendars_in_chinese(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"], type="complaint")
    html = desk("cs_agent").get(f"/desk/tickets/{ticket.pk}/").content.decode()
    panel = html.split('data-testid="sla-panel"')[1].split("</section>")[0]
    assert "投诉" in panel and "Complaints" not in panel
    assert "门店营业时间" in panel or "全天候" in panel
    assert not re.search(r"· (store|always|hotline|backoffice)<", panel)
