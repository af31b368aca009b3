"""Another agent on the same ticket is shown before anyone meets a 409."""

import pytest

from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def test_a_second_agent_viewing_and_typing_is_shown(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    url = f"/desk/tickets/{ticket.pk}/presence/"
    first, second = desk("staff_sh001"), desk("manager_sh001")
    assert "presence-note" not in first.post(url, {"version": ticket.version}).content.decode()
    second.post(url, {"version": ticket.version, "typing": "1"})
    seen = first.post(url, {"version": ticket.version}).content.decode()
    assert "manager_sh001 正在回复此工单" in seen
    second.post(url, {"leave": "1"})
    assert "presence-note" not in first.post(url, {"version": ticket.version}).content.decode()


def test_a_changed_ticket_is_announced(desk, chain, users):
    from kefu.tickets import services

    ticket = open_ticket(chain["stores"]["SH001"])
    seen_version = ticket.version
    services.add_reply(actor=users["cs_agent"], ticket=ticket, body="您好，已收到。")
    answer = desk("staff_sh001").post(
        f"/desk/tickets/{ticket.pk}/presence/", {"version": seen_version}
    )
    assert "您打开之后，工单已被修改" in answer.content.decode()


def test_presence_is_scoped(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    answer = desk("staff_bj001").post(f"/desk/tickets/{ticket.pk}/presence/", {"version": 1})
    assert answer.status_code == 404


def test_the_beat_reads_only_the_tickets_version(desk, chain):
    # Every open ticket page beats every few seconds: the ticket is read by one scoped statement
    # for its version, not loaded with its store, customer, purchase and tags (issue 14).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket = open_ticket(chain["stores"]["SH001"])
    client = desk("staff_sh001")
    client.post(f"/desk/tickets/{ticket.pk}/presence/", {"version": ticket.version})
    with CaptureQueriesContext(connection) as seen:
        client.post(f"/desk/tickets/{ticket.pk}/presence/", {"version": ticket.version})
    on_tickets = [q["sql"] for q in seen.captured_queries if "tickets_" in q["sql"]]
    assert len(on_tickets) == 1
    assert on_tickets[0].startswith('SELECT "tickets_ticket"."version"')
    assert "JOIN" not in on_tickets[0]
