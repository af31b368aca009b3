"""Whom a ticket may be given to: one list for the ticket page's assign form and the queue's
bulk bar (kefu.web.ticket_page.colleagues_for) — the people who can see the reader's tickets
and above, never another store's or region's people, never outlet staff (who see no
tickets) — read by a statement compiled once per process for each shape."""

import pytest

from kefu.org.roles import Role
from kefu.web.ticket_page import colleagues_for
from tests.factories import StaffFactory, UserFactory, open_ticket

pytestmark = pytest.mark.django_db

ABOVE_THE_STORES = {"admin", "cs_manager", "cs_agent", "technician", "qa", "trainer", "coordinator"}


@pytest.fixture
def outlet_staff(chain):
    user = UserFactory(username="outlet_tech")
    StaffFactory(user=user, role=Role.OUTLET_TECHNICIAN, display_name="outlet_tech")
    return user


def names(staff_list) -> set[str]:
    return {s.user.username for s in staff_list}


@pytest.mark.parametrize(
    "reader, expected",
    [
        ("manager_sh001", {"staff_sh001", "manager_sh001"} | ABOVE_THE_STORES),
        (
            "region_east",
            {"staff_sh001", "manager_sh001", "staff_sh002", "region_east"} | ABOVE_THE_STORES,
        ),
        ("cs_manager", "everyone"),  # the chain's staff: everyone but outlet staff
    ],
)
def test_the_people_a_reader_may_give_a_ticket_to(users, outlet_staff, reader, expected):
    found = names(colleagues_for(users[reader].staff))
    assert found == (set(users) if expected == "everyone" else expected)
    assert "outlet_tech" not in found


def test_the_ticket_page_and_the_bulk_bar_offer_the_same_people(desk, chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    client = desk("region_east")
    page = client.get(f"/desk/tickets/{ticket.pk}/", panels=False).content.decode()
    queue = client.get("/desk/?view=open").content.decode()
    for username in ("staff_sh001", "staff_sh002", "cs_agent"):
        assert f'value="{username}"' in page and f'value="{username}"' in queue
    for username in ("staff_bj001", "manager_bj001", "region_north"):
        assert f'value="{username}"' not in page and f'value="{username}"' not in queue


def test_no_list_for_a_reader_without_the_assign_right(desk, chain, users, monkeypatch):
    ticket = open_ticket(chain["stores"]["SH001"])
    called = []
    monkeypatch.setattr(
        "kefu.web.ticket_page.colleagues_for", lambda staff: called.append(staff) or []
    )
    assert desk("staff_sh001").get(f"/desk/tickets/{ticket.pk}/", panels=False).status_code == 200
    assert called == []
