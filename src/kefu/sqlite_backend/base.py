"""Django's SQLite backend, with the writers of one process taking turns.

SQLite lets one writer at a time hold the database (Kefu opens every write transaction with
BEGIN IMMEDIATE). A second writer waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15,
20, 25 … ms between tries however soon the first one commits: with eight clients opening
tickets, the worker's threads spent more time asleep than writing (issue 14). Here the threads
of one process queue on a lock before BEGIN and are woken the moment the writer before them
commits or rolls back; only writers in other processes (another worker, the task consumer)
still meet SQLite's busy wait.

The statement text is also converted from Django's ``%s`` style once per distinct statement
instead of by a regular expression on every execution."""

import functools
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
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self):
        if self.holds_writer:
            self.holds_writer = False
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
