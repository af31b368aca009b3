"""Keyword search gives the same tickets in the same order whichever way the database is asked
(rare words looked up first and read by id, common ones read in queue order), on both
databases; and the PostgreSQL index is the stored tsvector column the filter names."""

import pytest
from django.db import connection

from kefu import search
from kefu.tickets import selectors
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db

TEXTS = [
    ("冰箱不制冷", "冰箱冷藏室不制冷，请尽快上门检修。"),
    ("洗衣机不排水", "洗完以后不排水，桶里一直有水。"),
    ("空调不制冷", "开了半小时吹出来的还是热风，不制冷。"),
    ("电视开机无反应", "官方App登录时提示kerberos认证失败。"),
]


def plain(user, q, **kw):
    """The search as a plain full-text filter: what the answer must equal."""
    tickets = selectors.ticket_queue(user, **kw)
    return search.fts_filter(tickets, q, fts_table="tickets_ticket_fts").order_by("-id")


# (RARE_MATCHES, SEARCH_COUNT_CAP): the matches read by id or in queue order, counted or capped.
@pytest.mark.parametrize(
    "rare_matches, search_cap", [(0, 2000), (3, 2000), (2000, 2000), (0, 3), (3, 3), (0, 1)]
)
@pytest.mark.parametrize("q", ["不制冷", "kerberos", "不排水", "qzxjvwk", "制冷 冰箱"])
def test_same_answer_for_rare_common_and_absent_words(
    chain, users, monkeypatch, q, rare_matches, search_cap
):
    stores = ["SH001", "SH002", "BJ001"]
    for i in range(12):
        subject, description = TEXTS[i % len(TEXTS)]
        open_ticket(stores[i % 3], subject=subject, description=description)
    monkeypatch.setattr(selectors, "RARE_MATCHES", rare_matches)
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", search_cap)
    for username in ("cs_manager", "manager_sh001", "region_north"):
        user = users[username]
        for status in ((), ("new",), ("closed",)):
            got = list(
                selectors.ticket_queue(user, q=q, status=status).values_list("id", flat=True)
            )
            want = list(plain(user, q, status=status).values_list("id", flat=True))
            assert got == want
            count, _capped = selectors.capped_count(
                selectors.ticket_queue(user, q=q, status=status)
            )
            assert (count, _capped) == (min(len(want), search_cap), len(want) > search_cap)
    everyone = list(selectors.ticket_queue(users["cs_manager"], q=q).values_list("id", flat=True))
    assert bool(everyone) == (q != "qzxjvwk")


@pytest.mark.postgres
def test_postgres_searches_the_stored_vector_through_its_gin_index(chain):
    open_ticket("SH001")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'tickets_ticket' "
            "AND indexname = 'tickets_ticket_tsv'"
        )
        assert "gin (search_text_tsv, store_id, region_id)" in cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM tickets_ticket WHERE search_text_tsv @@ plainto_tsquery('simple', '不 制冷')"
        )
        assert cursor.fetchone()[0] == 1
