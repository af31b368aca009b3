"""kefu.sqlite_backend: the writers of one process take turns on a lock, and the processes on a
flock, which every way out of a transaction (commit, rollback, a failing BEGIN, closing the
connection) gives back."""

import os
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection, connections, transaction

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
    """Neither this process's lock nor its turn among the processes is held."""
    from kefu.sqlite_backend.base import process_turns

    if process_turns(connection.settings_dict["NAME"]).held:
        return False
    lock = writer_lock()
    if lock.acquire(blocking=False):
        lock.release()
        return True
    return False


def number_in_threads(day, threads: int, each: int) -> tuple[list, list]:
    """``threads`` threads, each numbering ``each`` tickets of ``day`` in a transaction apiece:
    (the numbers, the errors)."""
    numbers, errors = [], []

    def work():
        try:
            for _ in range(each):
                with transaction.atomic():
                    numbers.append(next_ticket_number(day))
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    running = [threading.Thread(target=work) for _ in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join()
    return numbers, errors


def test_eight_threads_write_in_turn_without_a_locked_database():
    import datetime

    numbers, errors = number_in_threads(datetime.date(2030, 1, 1), 8, 25)
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


# The processes writing one database file take turns on a flock of a file beside it
# (kefu.sqlite_backend.base.process_turns): woken the moment the writer before them is done, not
# by SQLite's sleeping busy wait (issue 14: eight clients on two workers 214-224 → 285-304
# tickets/s). Each child below is a forked process, as gunicorn's workers are.


def _in_child(work) -> int:
    """Fork; the child runs ``work()`` and exits 0, or 1 if it raised. Returns the child's pid."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's own exit code is what the parent checks
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return pid


def _exit_code(pid: int) -> int:
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _wait_for(path: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.005)


def test_a_process_waits_for_the_writer_in_another_one_and_gets_its_turn_at_once(tmp_path):
    from kefu.sqlite_backend.base import process_turns

    name = tmp_path / "db.sqlite3"
    holding, done = tmp_path / "holding", tmp_path / "done"

    def hold_then_let_go():
        turns = process_turns(name)
        turns.acquire(5)
        holding.touch()
        time.sleep(0.5)
        done.touch()
        turns.release()

    child = _in_child(hold_then_let_go)
    _wait_for(holding)
    turns = process_turns(name)
    with pytest.raises(OperationalError):  # the child holds it: this process gives up in time
        turns.acquire(0.1)
    started = time.monotonic()
    turns.acquire(10)  # the helper thread still waits in line: the turn comes through it
    waited_after_release = time.monotonic() - started
    assert done.exists()  # not before the child let go …
    assert waited_after_release < 1.0  # … and at once after (not by the 10 s timeout)
    turns.release()
    assert _exit_code(child) == 0


def test_a_turn_given_up_is_handed_back_and_a_dead_writers_turn_is_freed(tmp_path):
    from kefu.sqlite_backend.base import process_turns

    name = tmp_path / "db.sqlite3"
    holding = tmp_path / "holding"

    def hold_and_die():
        process_turns(name).acquire(5)
        holding.touch()
        time.sleep(0.3)
        os._exit(0)  # dies with the turn: the kernel frees the flock

    child = _in_child(hold_and_die)
    _wait_for(holding)
    turns = process_turns(name)
    with pytest.raises(OperationalError):
        turns.acquire(0.05)  # gives up; its helper gets the turn later, for nobody
    assert _exit_code(child) == 0
    time.sleep(0.2)  # the helper has the dead child's turn by now and must have handed it back

    def take_it():
        process_turns(name).acquire(0.5)  # raises if this process still held it

    assert _exit_code(_in_child(take_it)) == 0


def test_processes_write_one_database_in_turn_without_a_locked_database():
    """Two forked processes, four threads each, all numbering tickets of one day."""
    import datetime

    day = datetime.date(2030, 2, 1)

    def work():
        _numbers, errors = number_in_threads(day, 4, 20)
        assert not errors, errors  # the child's exit code reports it

    connections.close_all()  # no connection crosses the fork
    children = [_in_child(work) for _ in range(2)]
    assert [_exit_code(pid) for pid in children] == [0, 0]
    assert next_ticket_number(day) == "KF-20300201-000161"  # 2 × 4 × 20 before it, none lost
    assert lock_is_free()
