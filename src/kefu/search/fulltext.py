"""Full-text search over jieba-segmented Chinese text, behind one interface.

Text is segmented once, on write, into space-separated tokens (`segment`). The database then
indexes those tokens: SQLite with an FTS5 table kept in step by triggers, PostgreSQL with a GIN
index on a stored generated column to_tsvector('simple', …). A query is segmented the same way and every token must
match. No LIKE '%…%' scans."""

import re
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection

_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
# PostgreSQL: the generated tsvector column beside the segmented text ("search_text_tsv").
VECTOR_SUFFIX = "_tsv"
_tokenizer = None


def _jieba():
    """jieba's tokenizer over the compact, memory-mapped dictionary (kefu.search.dictionary),
    built on first use under KEFU_VAR."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                from kefu.search import dictionary

                _tokenizer = dictionary.load(Path(settings.VAR_DIR) / "dictionaries")
    return _tokenizer


def warm_up() -> None:
    """Map the segmenter's dictionary now instead of on the first request."""
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
    queryset,
    q: str,
    *,
    fts_table: str,
    column: str = "search_text",
    tokens=None,
    any_token=False,
    walk=False,
):
    """Restrict `queryset` to rows whose segmented text contains every token of `q` (or any
    of them, with ``any_token``; ``tokens`` gives the tokens ready-made instead of `q`).

    ``walk`` (PostgreSQL): test the words row by row instead of through the GIN index, for a
    page in index order of a word known to be common (the planner's estimate of a word's
    frequency can be off by a thousand times, and then it sorts every match instead)."""
    tokens = query_tokens(q) if tokens is None else [t.lower() for t in tokens if t.strip()]
    if not tokens:
        return queryset
    table = queryset.model._meta.db_table
    if connection.vendor == "postgresql":
        vector = f"{table}.{column}{VECTOR_SUFFIX}"
        if any_token:
            # to_tsquery needs each token quoted as a lexeme; OR them together.
            lexemes = " | ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in tokens)
            return queryset.extra(
                where=[f"{vector} @@ to_tsquery('simple', %s)"],
                params=[lexemes],
            )
        match = f"{vector} @@ plainto_tsquery('simple', %s)"
        return queryset.extra(
            # COALESCE hides the match from the planner's estimate (it assumes half the rows)
            # and from the GIN index: the page is read in index order, row by row.
            where=[f"COALESCE({match}, false)" if walk else match],
            params=[" ".join(tokens)],
        )
    match = (" OR " if any_token else " ").join('"' + t.replace('"', '""') + '"' for t in tokens)
    return queryset.extra(
        where=[f"{table}.id IN (SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH %s)"],
        params=[match],
    )


def install_sql(
    vendor: str,
    *,
    table: str,
    fts_table: str,
    column: str = "search_text",
    beside: tuple[str, ...] = (),
) -> list[str]:
    """DDL for the index behind `fts_filter`, per database vendor (used by migrations).

    ``beside`` (PostgreSQL): id columns the GIN index holds next to the words (btree_gin), so
    that the words and a condition ``column = <bigint>`` on one of them are one index lookup."""
    if vendor == "postgresql":
        # A stored tsvector column, not an index on the expression: a row tested outside the
        # index (the ordered walk of a queue page, a recheck) reads it instead of segmenting
        # the text again (~20 µs a row). The expression index of old installs goes.
        vector = f"{column}{VECTOR_SUFFIX}"
        return [
            *(["CREATE EXTENSION IF NOT EXISTS btree_gin"] if beside else []),
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {vector} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple', coalesce({column}, ''))) STORED",
            f"CREATE INDEX IF NOT EXISTS {table}{VECTOR_SUFFIX} ON {table} "
            f"USING gin ({', '.join((vector, *beside))})",
            f"DROP INDEX IF EXISTS {table}_fts",
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
    connection,
    *,
    table: str,
    fts_table: str,
    column: str = "search_text",
    beside: tuple[str, ...] = (),
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
                "postgresql", table=table, fts_table=fts_table, column=column, beside=beside
            ):
                cursor.execute(statement)
    return False


def uninstall_sql(vendor: str, *, table: str, fts_table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP INDEX IF EXISTS {table}_fts",
            f"DROP INDEX IF EXISTS {table}{VECTOR_SUFFIX}",
            f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_text{VECTOR_SUFFIX}",
        ]
    if vendor == "sqlite":
        return [f"DROP TABLE IF EXISTS {fts_table}"] + [
            f"DROP TRIGGER IF EXISTS {fts_table}_{s}" for s in ("ai", "ad", "au")
        ]
    return []
