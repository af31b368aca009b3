"""The ticket page's panels load after the page, in one request (kefu.web.ticket_page)."""

import pytest

from tests.desk_client import PANEL_SLOT
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def test_the_page_loads_its_panels_after_it_arrives(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"], type="fault_report", subject="冰箱不制冷")
    client = desk("staff_sh001")
    page = client.get(f"/desk/tickets/{ticket.pk}/", panels=False).content.decode()
    assert PANEL_SLOT.findall(page) == [f"/desk/tickets/{ticket.pk}/panels/"]
    assert "data-panel-key" not in page  # nothing rendered in place
    panels = client.get(f"/desk/tickets/{ticket.pk}/panels/")
    assert panels.status_code == 200
    text = panels.content.decode()
    assert '<details class="panel" data-panel-key="sla/_panel.html" open>' in text
    assert 'data-testid="sla-panel"' in text
    # The complaint guide is for complaints only: a fault report has none.
    assert "quality/_complaint_panel.html" not in text


def test_the_panels_carry_the_page_s_query(desk, chain):
    """The after-sales panel reads the facts an agent adjusted from the page's query string."""
    ticket = open_ticket(chain["stores"]["SH001"], type="fault_report", subject="冰箱不制冷")
    page = desk("staff_sh001").get(f"/desk/tickets/{ticket.pk}/?x=1&y=2", panels=False)
    assert PANEL_SLOT.findall(page.content.decode()) == [
        f"/desk/tickets/{ticket.pk}/panels/?x=1&amp;y=2"
    ]


def test_another_store_s_ticket_and_writes_are_refused(desk, chain):
    ticket = open_ticket(chain["stores"]["SH001"], subject="冰箱不制冷")
    url = f"/desk/tickets/{ticket.pk}/panels/"
    assert desk("staff_bj001").get(url).status_code == 404
    assert desk("staff_sh001").post(url).status_code == 405


def test_a_pre_sales_question_shows_no_empty_after_sales_section(desk, chain):
    """The after-sales panel is for repairs, returns and installations: a pre-sales question
    gets no 售后（三包） heading with nothing under it."""
    ticket = open_ticket(chain["stores"]["SH001"], type="consultation", subject="有没有以旧换新")
    text = desk("staff_sh001").get(f"/desk/tickets/{ticket.pk}/panels/").content.decode()
    assert 'data-panel-key="sla/_panel.html"' in text
    assert "aftersales/_ticket_panel.html" not in text
