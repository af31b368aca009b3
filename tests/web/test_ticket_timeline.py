"""The desk's ticket page shows the newest 50 timeline entries and loads older ones on request
(kefu.tickets.selectors.timeline_page, /desk/tickets/<pk>/timeline/?before=<event id>)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.tickets import services as ticket_services
from kefu.tickets.selectors import TIMELINE_PAGE
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db

EVENT = re.compile(r'<li class="event [^"]*" id="event-(\d+)"')
EARLIER = re.compile(r'hx-get="(/desk/tickets/\d+/timeline/\?before=\d+)"')


def conversation(chain, messages: int):
    """A ticket whose customer wrote ``messages`` times (its timeline: opened + messages)."""
    ticket = open_ticket(chain["stores"]["SH001"], subject="冰箱不制冷")
    for i in range(messages):
        ticket_services.add_customer_message(ticket=ticket, body=f"师傅什么时候到？（第{i + 1}次）")
    return ticket


def test_a_long_conversation_shows_the_newest_entries_and_loads_the_rest(desk, chain):
    ticket = conversation(chain, 2 * TIMELINE_PAGE + 9)  # 110 entries
    ids = list(ticket.events.order_by("-id").values_list("id", flat=True))
    client = desk("staff_sh001")
    page = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    shown = [int(i) for i in EVENT.findall(page)]
    assert shown == ids[:TIMELINE_PAGE]  # newest first
    assert "第109次" in page and "第59次" not in page
    assert "显示更早的 60 条记录" in page
    (older_url,) = EARLIER.findall(page)

    older = client.get(older_url).content.decode()
    assert [int(i) for i in EVENT.findall(older)] == ids[TIMELINE_PAGE : 2 * TIMELINE_PAGE]
    assert "显示更早的 10 条记录" in older
    (last_url,) = EARLIER.findall(older)
    last = client.get(last_url).content.decode()
    assert [int(i) for i in EVENT.findall(last)] == ids[2 * TIMELINE_PAGE :]
    assert 'class="event kind-created' in last
    assert not EARLIER.findall(last)


def test_a_short_timeline_has_no_button(desk, chain):
    ticket = conversation(chain, 3)
    page = desk("staff_sh001").get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert len(EVENT.findall(page)) == 4
    assert "timeline-earlier" not in page


def test_the_page_costs_the_same_queries_with_a_long_timeline(desk, chain):
    short = conversation(chain, 2)
    long = conversation(chain, TIMELINE_PAGE + 5)
    client = desk("staff_sh001")
    counts = []
    for ticket in (short, long):
        client.get(f"/desk/tickets/{ticket.pk}/", panels=False)  # warm
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/desk/tickets/{ticket.pk}/", panels=False)
        counts.append(len(ctx.captured_queries))
    # The long one counts what lies beyond the newest entries (one query), nothing per entry.
    assert counts[1] == counts[0] + 1


def test_earlier_entries_are_refused_outside_the_scope_and_without_a_position(desk, chain):
    ticket = conversation(chain, 2)
    url = f"/desk/tickets/{ticket.pk}/timeline/"
    last = ticket.events.order_by("-id").values_list("id", flat=True)[0]
    assert desk("staff_bj001").get(f"{url}?before={last}").status_code == 404
    assert desk("staff_sh001").post(f"{url}?before={last}").status_code == 405
    refused = desk("staff_sh001").get(f"{url}?before=abc")
    assert refused.status_code == 400
    assert refused.content.decode() == "未指明要显示哪些记录。"
    english = desk("staff_sh001").get(f"{url}?before=", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert english.content.decode() == "Which entries to show is missing."
    # Older than the ticket's first entry: nothing, and no button.
    first = ticket.events.order_by("id").values_list("id", flat=True)[0]
    empty = desk("staff_sh001").get(f"{url}?before={first}")
    assert empty.status_code == 200
    assert not EVENT.findall(empty.content.decode())
