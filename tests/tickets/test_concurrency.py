"""Concurrent writers on real connections: ticket numbers stay unique, stale writes are refused."""

import threading

import pytest
from django.db import connection, connections

from kefu.errors import StaleWrite
from kefu.tickets import services
from kefu.tickets.models import Ticket
from tests.factories import CustomerFactory, open_ticket

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(n, work):
    """Start n threads at the same instant; return what each returned or raised."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def runner(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — collected and asserted on by the caller
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_parallel_openings_get_unique_consecutive_numbers(chain, users):
    customers = [CustomerFactory() for _ in range(8)]

    def work(i):
        numbers = []
        for _ in range(5):
            ticket, _ = services.open_ticket(
                actor=users["cs_agent"],
                type="complaint",
                channel="api",
                subject=f"并发{i}",
                store="SH001",
                customer=customers[i],
            )
            numbers.append(ticket.number)
        return numbers

    results = run_together(8, work)
    assert all(isinstance(r, list) for r in results), results
    numbers = [n for r in results for n in r]
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 41))
    assert Ticket.objects.count() == 40


@pytest.mark.postgres
def test_two_agents_writing_the_same_version_one_wins_one_gets_409(chain, users):
    assert connection.vendor == "postgresql"
    ticket = open_ticket(chain["stores"]["SH001"])

    def work(i):
        fresh = Ticket.objects.get(pk=ticket.pk)
        if i == 0:
            return services.change_status(
                actor=users["manager_sh001"], ticket=fresh, status="resolved", expected_version=1
            )
        return services.add_reply(
            actor=users["staff_sh001"],
            ticket=fresh,
            body="您好，我们正在处理。",
            expected_version=1,
        )

    for _ in range(3):  # a few rounds, so that each side sometimes wins
        Ticket.objects.filter(pk=ticket.pk).update(version=1, status="open")
        results = run_together(2, work)
        stale = [r for r in results if isinstance(r, StaleWrite)]
        ok = [r for r in results if not isinstance(r, Exception)]
        assert len(stale) == 1 and len(ok) == 1, results
        assert Ticket.objects.get(pk=ticket.pk).version == 2


@pytest.mark.postgres
def test_retries_with_one_idempotency_key_in_parallel_make_one_ticket(chain, users):
    customer = CustomerFactory()

    def work(i):
        ticket, _ = services.open_ticket(
            actor=users["cs_agent"],
            type="complaint",
            channel="api",
            subject="重试",
            store="SH001",
            customer=customer,
            idempotency_key="same-key",
        )
        return ticket.pk

    results = run_together(4, work)
    assert len(set(results)) == 1 and Ticket.objects.count() == 1, results
