"""Give the heap's free memory back to the OS after heavy work (issue 14).

A report page, an export or the report facts' refresh of a few thousand tickets allocate tens
of MB (database rows, Python objects) that are freed when they end; glibc keeps most of the
freed memory in the process for later, so the worker's RSS stays at its highest point for
good. `malloc_trim(0)` returns the free pages: ~2 ms after heavy work, ~0.3 ms when there is
nothing to return. Called after a request or task that took at least SLOW seconds, so the
fast requests that make up nearly all of the load pay nothing."""

import ctypes
import ctypes.util

SLOW = 0.1

try:
    _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
    _malloc_trim = None


def trim_after(seconds: float) -> bool:
    """Trim the heap if the work that just ended took ``seconds`` ≥ SLOW; True if it did."""
    if _malloc_trim is None or seconds < SLOW:
        return False
    _malloc_trim(0)
    return True
