"""The ticket page's panels load after the page, one request each (kefu.web.ticket_page)."""

import re

import pytest

from kefu.web.ticket_page import PANELS
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db

SLOT = re.compile(r'<div class="panel-slot" hx-get="([^"]+)"')


def test_the_page_has_a_slot_per_panel_and_each_loads_alone(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"], type="fault_report", subject="冰箱不制冷")
    client = desk("staff_sh001")
    page = client.get(f"/desk/tickets/{ticket.pk}/", panels=False).content.decode()
    urls = SLOT.findall(page)
    assert urls == [f"/desk/tickets/{ticket.pk}/panels/{p.key}/" for p in PANELS]
    assert "data-panel-key" not in page  # nothing rendered in place
    sla = client.get(urls[[p.key for p in PANELS].index("sla-panel")])
    assert sla.status_code == 200
    text = sla.content.decode()
    assert text.startswith('<details class="panel" data-panel-key="sla/_panel.html" open>')
    assert 'data-testid="sla-panel"' in text


def test_a_panel_with_nothing_to_show_answers_empty(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"], type="fault_report", subject="冰箱不制冷")
    # The complaint guide is for complaints only.
    r = desk("staff_sh001").get(f"/desk/tickets/{ticket.pk}/panels/quality-complaint_panel/")
    assert r.status_code == 200 and r.content.strip() == b""


def test_unknown_panel_other_store_and_writes_are_refused(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"], subject="冰箱不制冷")
    url = f"/desk/tickets/{ticket.pk}/panels/sla-panel/"
    assert desk("staff_sh001").get(f"/desk/tickets/{ticket.pk}/panels/nope/").status_code == 404
    assert desk("staff_bj001").get(url).status_code == 404  # another store's
    assert desk("staff_sh001").post(url).status_code == 405
