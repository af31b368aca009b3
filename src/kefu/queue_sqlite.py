"""Huey's SQLite queue with the same durability as Kefu's own database (WAL, synchronous=NORMAL).

huey.SqliteHuey leaves SQLite at synchronous=FULL, so every enqueue, dequeue and result is an
fsync (3–5 ms on this kind of disk, more under load) — on the request path of every ticket that
sends the customer a message. In WAL mode NORMAL loses no committed transaction when the process
crashes, only (like kefu.sqlite3) the last ones when the machine loses power; it is the setting
SQLite recommends for WAL. Only settings.HUEY names this class (embedded mode, no REDIS_URL)."""

from huey import SqliteHuey
from huey.storage import SqliteStorage


class NormalSyncSqliteStorage(SqliteStorage):
    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


class KefuSqliteHuey(SqliteHuey):
    storage_class = NormalSyncSqliteStorage
