"""kefu.sqlite_backend: the writers of one process take turns on a lock, which every way out of
a transaction (commit, rollback, a failing BEGIN, closing the connection) gives back."""

import threading

import pytest
from django.db import connection, connections, transaction

from kefu.tickets.services import next_ticket_number

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend")


def writer_lock():
    from kefu.sqlite_backend import base

    return base._writer


def lock_is_free() -> bool:
    lock = writer_lock()
    if lock.acquire(blocking=False):
        lock.release()
        return True
    return False


def test_eight_threads_write_in_turn_without_a_locked_database():
    import datetime

    day = datetime.date(2030, 1, 1)
    numbers, errors = [], []

    def work():
        try:
            for _ in range(25):
                with transaction.atomic():
                    numbers.append(next_ticket_number(day))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"KF-20300101-{n:06d}" for n in range(1, 201)]
    assert lock_is_free()


def test_rollback_and_errors_give_the_lock_back():
    with pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            assert not lock_is_free()  # held for the whole transaction
            1 / 0  # noqa: B018
    assert lock_is_free()
    with transaction.atomic():
        with transaction.atomic():  # a savepoint: no second BEGIN, no second acquire
            pass
        assert not lock_is_free()
    assert lock_is_free()


def test_closing_the_connection_mid_transaction_gives_the_lock_back():
    with transaction.atomic():
        assert not lock_is_free()
        connection.close()  # a worker dropping its connection inside a transaction
        assert lock_is_free()
    assert lock_is_free()


def test_a_thread_may_keep_a_smaller_page_cache_than_the_rest():
    """The task consumer's threads inside a web worker (issue 14): their connections keep a
    small cache; the other threads' keep the settings' one."""
    from kefu.sqlite_backend.base import thread_cache_kb

    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    seen = {}

    def task_thread():
        thread_cache_kb(1500)
        try:
            seen["task"] = cache_size()  # this thread's own, new connection
        finally:
            connections.close_all()

    thread = threading.Thread(target=task_thread)
    thread.start()
    thread.join()
    assert seen["task"] == -1500
    assert cache_size() == -20000  # the settings' KEFU_SQLITE_CACHE_KB, in this thread


def test_sqlites_memory_in_a_process_is_bounded(settings):
    # Every connection sets the process's soft heap limit (KEFU_SQLITE_HEAP_KB, 12 MB by
    # default); its page cache stays at KEFU_SQLITE_CACHE_KB, reusing its pages past the limit.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA soft_heap_limit")
        assert cursor.fetchone()[0] == settings.SQLITE_HEAP_KB * 1024 == 12000 * 1024
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -settings.SQLITE_CACHE_KB
