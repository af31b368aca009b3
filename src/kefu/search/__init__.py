"""Chinese full-text search. The code lives in `kefu.search.fulltext`; these re-exports keep
`from kefu import search; search.segment(...)` working for the callers that use the package."""

from kefu.search.fulltext import (
    ensure_installed,
    fts_filter,
    install_sql,
    query_tokens,
    segment,
    uninstall_sql,
    warm_up,
)

__all__ = [
    "ensure_installed",
    "fts_filter",
    "install_sql",
    "query_tokens",
    "segment",
    "uninstall_sql",
    "warm_up",
]
