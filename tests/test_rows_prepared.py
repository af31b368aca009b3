"""kefu.rows.prepared: a queryset compiled once per process gives what the queryset gives
(instances with their select_related rows, values, ordering, prefetches), one statement a call
and no compilation after the first; a builder that is not a pure function of its arguments is
refused on its first call. SQLite and PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from kefu import rows
from kefu.tickets.models import Ticket, TicketEvent
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db(transaction=True)


def fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@rows.prepared
def events_of(ticket_id: int, kind: str):
    return (
        TicketEvent.objects.select_related("ticket__store", "actor")
        .filter(ticket_id=ticket_id, kind=kind)
        .order_by("-id")
    )


@rows.prepared
def numbers_of_store(store_id: int):
    return (
        Ticket.objects.filter(store_id=store_id).order_by("number").values_list("number", flat=True)
    )


@rows.prepared
def counted(store_id: int):
    return (
        Ticket.objects.filter(store_id=store_id)
        .values("type")
        .annotate(n=Count("id"))
        .order_by("type")
    )


@rows.prepared
def with_tags(ticket_id: int):
    return Ticket.objects.filter(pk=ticket_id).prefetch_related("tags")[:1]


@pytest.fixture
def tickets(chain):
    sh1, sh2 = chain["stores"]["SH001"], chain["stores"]["SH002"]
    made = [open_ticket(sh1), open_ticket(sh1, type="complaint"), open_ticket(sh2)]
    return sh1, sh2, made


def test_the_same_rows_as_the_queryset(tickets):
    sh1, sh2, made = tickets
    for ticket in made:
        expected = list(
            TicketEvent.objects.select_related("ticket__store", "actor")
            .filter(ticket_id=ticket.id, kind="created")
            .order_by("-id")
        )
        got = events_of(ticket.id, "created")
        assert got and [fields(e) for e in got] == [fields(e) for e in expected]
        # The related rows came with the statement, as select_related gives them.
        assert [fields(e.ticket.store) for e in got] == [fields(sh1 if ticket in made[:2] else sh2)]
        assert fields(got[0].actor) == fields(expected[0].actor)
    assert events_of(made[0].id, "no-such-kind") == []
    assert numbers_of_store(sh1.id) == sorted(t.number for t in made[:2])
    assert counted(sh1.id) == [{"type": "complaint", "n": 1}, {"type": "fault_report", "n": 1}]
    assert counted(sh2.id) == [{"type": "fault_report", "n": 1}]


def test_prefetches_still_run(tickets, django_assert_num_queries):
    _, _, made = tickets
    made[0].tags.create(name="召回")
    with django_assert_num_queries(2):
        (ticket,) = with_tags(made[0].id)
        assert [t.name for t in ticket.tags.all()] == ["召回"]


def test_compiled_once_then_one_statement_a_call(tickets, monkeypatch, django_assert_num_queries):
    sh1, _, made = tickets
    numbers_of_store(sh1.id)  # compiled here (twice: the builder's check)
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k)
    )
    with django_assert_num_queries(3):
        for ticket in made:
            numbers_of_store(ticket.store_id)
    assert compiled == []


def test_each_thread_reads_on_its_own_connection(tickets):
    sh1, _, made = tickets
    numbers_of_store(sh1.id)
    seen = {}

    def read():
        seen["numbers"] = numbers_of_store(sh1.id)
        seen["connection"] = id(connection.connection)
        connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen["numbers"] == sorted(t.number for t in made[:2])
    assert seen["connection"] != id(connection.connection)


def test_a_clock_read_while_building_is_refused(chain):
    @rows.prepared
    def since_now(store_id: int):
        return Ticket.objects.filter(store_id=store_id, created_at__lte=timezone.now())

    with pytest.raises(ValueError, match="neither an argument nor a constant"):
        since_now(1)


def test_an_argument_that_does_not_reach_the_sql_as_itself_is_refused(chain):
    @rows.prepared
    def subject_contains(word: str):
        return Ticket.objects.filter(subject__contains=word)

    with pytest.raises(ValueError, match="an argument transformed"):
        subject_contains("冰箱")


def test_a_shape_that_follows_the_values_is_refused(chain):
    @rows.prepared
    def by_index(n: int):
        return Ticket.objects.order_by("id")[: -n % 7 + 1]  # LIMIT is written into the SQL

    with pytest.raises(ValueError, match="depends on its arguments' values"):
        by_index(1)


@pytest.mark.parametrize("value", [None, True, 1.5, [1]])
def test_only_ints_and_strings(chain, value):
    with pytest.raises(TypeError):
        numbers_of_store(value)


def test_first_gives_the_first_row_or_none(tickets):
    _, _, made = tickets
    first = with_tags.first(made[0].id)
    assert fields(first) == fields(Ticket.objects.get(pk=made[0].id))
    assert with_tags.first(-1) is None
