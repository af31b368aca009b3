"""Lists at scale, same answers: the customer disclosure of a page asked for its own customers
(not an annotation of the list's query), a keyword search's count capped at SEARCH_COUNT_CAP
on both databases, and a regional manager's search matches looked up with the region tested
row by row (PostgreSQL) giving the plain filter's rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.customers.models import Customer
from kefu.customers.selectors import discloses
from kefu.tickets import selectors
from tests.factories import CustomerFactory, PurchaseFactory, open_ticket

pytestmark = pytest.mark.django_db

READERS = (
    "cs_manager",
    "cs_agent",
    "manager_sh001",
    "staff_sh001",
    "region_east",
    "region_north",
    "manager_bj001",
    "technician",
)


@pytest.fixture
def spread(chain):
    """Tickets in three stores for customers at home in different stores, some of whom bought
    in another store."""
    stores = chain["stores"]
    tickets = []
    for i, (at, home, bought) in enumerate(
        [
            ("SH001", "SH001", None),
            ("SH001", "BJ001", "SH001"),
            ("SH001", "BJ001", None),
            ("SH002", "SH001", None),
            ("BJ001", "SH002", "BJ001"),
            ("BJ001", "BJ001", None),
            ("SH002", None, "SH002"),
        ]
    ):
        customer = CustomerFactory(phone=f"1380000{i:04d}")
        ticket = open_ticket(at, customer=customer, description=f"冰箱不制冷，第{i}次报修。")
        Customer.objects.filter(pk=customer.pk).update(home_store=stores[home] if home else None)
        if bought:
            PurchaseFactory(customer=customer, store=stores[bought])
        tickets.append(ticket)
    return tickets


@pytest.mark.parametrize("username", READERS)
def test_page_disclosure_is_what_discloses_says(users, spread, username):
    user = users[username]
    listing = selectors.for_listing(selectors.ticket_queue(user))
    page = selectors.with_customer_disclosure(user, listing[:25])
    assert [t.pk for t in page] == list(listing.values_list("pk", flat=True)[:25])
    for t in page:
        fresh = Customer.objects.get(pk=t.customer_id)
        assert t.customer_on_file == discloses(user, fresh), (username, t.number)
        assert selectors.customer_shown(user, t) == selectors.customer_shown(
            user, selectors.get_ticket(user, t.pk)
        )


def test_page_disclosure_costs_one_query_whatever_the_page(users, spread):
    user = users["region_east"]
    page = list(selectors.for_listing(selectors.ticket_queue(user))[:25])
    with CaptureQueriesContext(connection) as ctx:
        selectors.with_customer_disclosure(user, page)
    assert len(ctx.captured_queries) == 1
    assert selectors.with_customer_disclosure(user, []) == []


@pytest.mark.parametrize("rare_matches", [0, 3, 2000])
def test_search_count_is_capped_the_same_on_both_databases(
    users, spread, monkeypatch, rare_matches
):
    monkeypatch.setattr(selectors, "RARE_MATCHES", rare_matches)
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    everyone = selectors.ticket_queue(users["cs_manager"], q="不制冷")
    assert selectors.capped_count(everyone) == (3, True)
    # Asked for more than the search counted, the count is made afresh.
    assert selectors.capped_count(everyone, cap=200) == (7, False)
    assert selectors.capped_count(everyone, cap=2) == (2, True)
    east = selectors.ticket_queue(users["region_east"], q="不制冷")
    assert selectors.capped_count(east, cap=100) == (5, False)
    north = selectors.ticket_queue(users["region_north"], q="不制冷")
    assert selectors.capped_count(north) == (2, False)
    # A queue without words keeps the queue's cap.
    assert selectors.capped_count(selectors.ticket_queue(users["cs_manager"])) == (7, False)


def text_lookups(user, q, **filters):
    with CaptureQueriesContext(connection) as ctx:
        got = list(selectors.ticket_queue(user, q=q, **filters).values_list("id", flat=True))
    where = [
        q["sql"].split(" WHERE ", 1)[1]
        for q in ctx.captured_queries
        if "plainto_tsquery" in q["sql"] and not q["sql"].startswith("EXPLAIN")
    ]
    return got, where


@pytest.mark.postgres
def test_rare_words_are_looked_up_in_the_chain_then_tested_for_scope(users, spread):
    # A store manager and the whole chain: one lookup through the text index alone (the
    # store's matches picked from the chain's), then the page by id.
    for username, n in (("manager_sh001", 3), ("cs_manager", 7)):
        got, where = text_lookups(users[username], "不制冷")
        assert len(got) == n and len(where) == 1
        assert "store_id" not in where[0] and "region_id" not in where[0]
    # Filtered besides: the store tested row by row on the word's matches.
    got, where = text_lookups(users["manager_sh001"], "不制冷", status=["new"])
    assert len(got) == 3 and '("tickets_ticket"."store_id" + 0)' in where[1]
    # A regional manager: their region tested row by row, one lookup.
    got, where = text_lookups(users["region_east"], "不制冷")
    assert len(got) == 5 and len(where) == 1
    assert '("tickets_ticket"."region_id" + 0)' in where[0]


@pytest.mark.postgres
def test_common_words_in_a_store_are_left_to_the_planner(users, spread, monkeypatch):
    # More matches in the chain than the search counts: the store's looked up plainly.
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    monkeypatch.setattr(selectors, "RARE_MATCHES", 3)
    got, where = text_lookups(users["manager_sh001"], "不制冷")
    # (The chain's lookup, unless the planner expects more than 3 matches), then the store's
    # through its index; the page by id.
    assert len(got) == 3 and len(where) in (1, 2)
    assert '"tickets_ticket"."store_id" = ' in where[-1]
    monkeypatch.setattr(selectors, "_estimated_matches", lambda q: 4)
    got, where = text_lookups(users["manager_sh001"], "不制冷")
    assert len(got) == 3 and len(where) == 1 and '"tickets_ticket"."store_id" = ' in where[0]


@pytest.mark.postgres
def test_regional_search_tests_the_region_row_by_row(users, spread, monkeypatch):
    # More matches in the chain than the search counts: looked up within the region.
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    monkeypatch.setattr(selectors, "RARE_MATCHES", 3)
    with CaptureQueriesContext(connection) as ctx:
        got = list(
            selectors.ticket_queue(users["region_east"], q="不制冷").values_list("id", flat=True)
        )
    lookups = [q["sql"] for q in ctx.captured_queries if "plainto_tsquery" in q["sql"]]
    assert any('("tickets_ticket"."region_id" + 0)' in sql for sql in lookups)
    want = list(
        selectors.ticket_queue(users["region_east"])
        .extra(where=["tickets_ticket.search_text_tsv @@ plainto_tsquery('simple', '不 制冷')"])
        .values_list("id", flat=True)
    )
    assert got == want and len(got) == 5
    with CaptureQueriesContext(connection) as ctx:
        list(selectors.ticket_queue(users["manager_sh001"], q="不制冷"))
    assert not any("+ 0)" in q["sql"] for q in ctx.captured_queries)
