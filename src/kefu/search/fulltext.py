"""Full-text search over jieba-segmented Chinese text, behind one interface.

Text is segmented once, on write, into space-separated tokens (`segment`). The database then
indexes those tokens: SQLite with an FTS5 table kept in step by triggers, PostgreSQL with a GIN
index on to_tsvector('simple', …). A query is segmented the same way and every token must
match. No LIKE '%…%' scans."""

import re
import threading

from django.db import connection

_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_ready = False


def _jieba():
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(60)
                jieba.initialize()
                _ready = True
    return jieba


def warm_up() -> None:
    """Load jieba's dictionary now (about a second) instead of on the first request."""
    _jieba()


def segment(*texts: str) -> str:
    """Index form: search-mode tokens (long words and their parts), lowercased, de-duplicated."""
    jieba = _jieba()
    seen: dict[str, None] = {}
    for text in texts:
        for token in jieba.cut_for_search(text or ""):
            token = token.strip().lower()
            if token and _WORD.search(token):
                seen.setdefault(token, None)
    return " ".join(seen)


def query_tokens(q: str) -> list[str]:
    """Query form: precise-mode tokens; each must be present in a matching row."""
    jieba = _jieba()
    tokens = []
    for token in jieba.cut(q or ""):
        token = token.strip().lower()
        if token and _WORD.search(token) and token not in tokens:
            tokens.append(token)
    return tokens[:12]


def fts_filter(
    queryset, q: str, *, fts_table: str, column: str = "search_text", tokens=None, any_token=False
):
    """Restrict `queryset` to rows whose segmented text contains every token of `q` (or any
    of them, with ``any_token``; ``tokens`` gives the tokens ready-made instead of `q`)."""
    tokens = query_tokens(q) if tokens is None else [t.lower() for t in tokens if t.strip()]
    if not tokens:
        return queryset
    table = queryset.model._meta.db_table
    if connection.vendor == "postgresql":
        if any_token:
            # to_tsquery needs each token quoted as a lexeme; OR them together.
            lexemes = " | ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in tokens)
            return queryset.extra(
                where=[f"to_tsvector('simple', {table}.{column}) @@ to_tsquery('simple', %s)"],
                params=[lexemes],
            )
        return queryset.extra(
            where=[f"to_tsvector('simple', {table}.{column}) @@ plainto_tsquery('simple', %s)"],
            params=[" ".join(tokens)],
        )
    match = (" OR " if any_token else " ").join('"' + t.replace('"', '""') + '"' for t in tokens)
    return queryset.extra(
        where=[f"{table}.id IN (SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH %s)"],
        params=[match],
    )


def install_sql(
    vendor: str, *, table: str, fts_table: str, column: str = "search_text"
) -> list[str]:
    """DDL for the index behind `fts_filter`, per database vendor (used by migrations)."""
    if vendor == "postgresql":
        return [
            f"CREATE INDEX IF NOT EXISTS {table}_fts ON {table} "
            f"USING gin (to_tsvector('simple', {column}))"
        ]
    if vendor == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts_table} USING fts5("
            f"{column}, content='{table}', content_rowid='id', tokenize='unicode61')",
            f"CREATE TRIGGER IF NOT EXISTS {fts_table}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts_table}(rowid, {column}) VALUES (new.id, new.{column}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts_table}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts_table}({fts_table}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts_table}_au AFTER UPDATE OF {column} ON {table} BEGIN "
            f"INSERT INTO {fts_table}({fts_table}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
            f"INSERT INTO {fts_table}(rowid, {column}) VALUES (new.id, new.{column}); END",
        ]
    return []


def ensure_installed(
    connection, *, table: str, fts_table: str, column: str = "search_text"
) -> bool:
    """Create the index (and on SQLite its triggers) if missing; returns True if it had to.

    SQLite rebuilds a table on most ALTER TABLEs and drops its triggers with it, so this runs
    after every migrate (post_migrate), and rebuilds the FTS index when triggers were missing."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{fts_table}_a_"],
            )
            if cursor.fetchone()[0] == 3:
                return False
            for statement in install_sql("sqlite", table=table, fts_table=fts_table, column=column):
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {fts_table}({fts_table}) VALUES ('rebuild')")
        return True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in install_sql(
                "postgresql", table=table, fts_table=fts_table, column=column
            ):
                cursor.execute(statement)
    return False


def uninstall_sql(vendor: str, *, table: str, fts_table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP INDEX IF EXISTS {table}_fts"]
    if vendor == "sqlite":
        return [f"DROP TABLE IF EXISTS {fts_table}"] + [
            f"DROP TRIGGER IF EXISTS {fts_table}_{s}" for s in ("ai", "ad", "au")
        ]
    return []
