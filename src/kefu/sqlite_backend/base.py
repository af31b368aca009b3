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
