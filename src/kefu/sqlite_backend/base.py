"""Django's SQLite backend, with its writers taking turns instead of sleeping.

SQLite lets one writer at a time hold the database (Kefu opens every write transaction with
BEGIN IMMEDIATE). A second writer waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15,
20, 25 … ms between tries however soon the first one commits: with eight clients opening
tickets, the workers' threads spent more time asleep than writing (issue 14). Here a writer
takes two turns before BEGIN, and is woken the moment the writer before it commits or rolls
back: the threads of one process queue on a lock, and the processes (gunicorn's workers, the
task consumer, a management command) on an exclusive ``flock`` of a file beside the database
(``<database>.writers``), which the kernel also frees when its holder dies. SQLite's busy wait
remains for whatever writes without this backend.

The statement text is also converted from Django's ``%s`` style once per distinct statement
instead of by a regular expression on every execution."""

import fcntl
import functools
import os
import threading

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

_writer = threading.Lock()
_this_thread = threading.local()


def thread_cache_kb(kb: int) -> None:
    """The connections this thread opens from now on keep a page cache of ``kb`` instead of the
    settings' (KEFU_SQLITE_CACHE_KB). For the task consumer's threads inside a web worker
    (kefu.web_consumer): each thread has its own connection and cache, and the consumer's
    one-off reads (the report facts of a few thousand tickets, the SLA sweep) filled 20 MB
    caches that nothing read again (issue 14)."""
    _this_thread.cache_kb = kb


class _ProcessTurns:
    """This process's turn among the processes writing one database file: an exclusive flock of
    ``path``. A thread asks only while it holds ``_writer``, so one at a time. flock cannot wait
    for a limited time, so a helper thread waits in it (the GIL released) on the asker's behalf;
    the asker gives up after its timeout as SQLite's busy wait did, and a turn the helper gets
    for nobody is handed back at once."""

    def __init__(self, path: str):
        self.pid = os.getpid()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self.changed = threading.Condition()
        self.held = False  # this process has the turn
        self.asked = False  # a thread of this process waits for it
        self.waiting = False  # the helper is inside its blocking flock
        threading.Thread(target=self._wait_in_line, name="kefu-sqlite-turns", daemon=True).start()

    def acquire(self, timeout: float) -> None:
        with self.changed:
            if not self.waiting:  # (while the helper waits, a flock here would share its turn)
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self.held = True
                    return
                except BlockingIOError:
                    pass
            self.asked = True
            self.changed.notify_all()
            got = self.changed.wait_for(lambda: self.held, timeout)
            self.asked = False
        if not got:
            raise OperationalError("database is locked (another process writes)")

    def release(self) -> None:
        with self.changed:
            if self.held:
                self.held = False
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def _wait_in_line(self) -> None:
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self.asked and not self.held)
                self.waiting = True
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            with self.changed:
                self.waiting = False
                if self.asked:
                    self.held = True
                    self.changed.notify_all()
                else:  # the asker gave up meanwhile
                    fcntl.flock(self.fd, fcntl.LOCK_UN)


_turns: dict[str, _ProcessTurns] = {}
_turns_made = threading.Lock()


def process_turns(name) -> _ProcessTurns | None:
    """The turns among processes for the database file ``name`` (None for one in memory), made
    once per process: a child forked from a process that had them makes its own."""
    name = str(name)
    if name == ":memory:" or "mode=memory" in name:
        return None
    turns = _turns.get(name)
    if turns is None or turns.pid != os.getpid():
        with _turns_made:
            turns = _turns.get(name)
            if turns is None or turns.pid != os.getpid():
                if turns is not None:
                    os.close(turns.fd)  # the parent's: its lock is the parent's to give back
                turns = _turns[name] = _ProcessTurns(name + ".writers")
    return turns


@functools.lru_cache(maxsize=2048)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    holds_writer = False
    turns = None  # this process's turns among the writers of the file (process_turns)

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)  # runs the settings' init_command
        kb = getattr(_this_thread, "cache_kb", None)
        if kb is not None:
            connection.execute(f"PRAGMA cache_size=-{int(kb)}")
        return connection

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def _start_transaction_under_autocommit(self):
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        if not _writer.acquire(timeout=timeout):
            raise OperationalError("database is locked (another thread of this process writes)")
        self.holds_writer = True
        try:
            self.turns = process_turns(self.settings_dict["NAME"])
            if self.turns is not None:
                self.turns.acquire(timeout)
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self):
        if self.holds_writer:
            self.holds_writer = False
            if self.turns is not None:
                self.turns.release()
            _writer.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
