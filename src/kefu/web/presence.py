"""Who else has a ticket open at the desk, and whether they are typing a reply.

Each open ticket page reports every few seconds (desk.js); the report lives in the cache for
a short while only, so a closed tab drops out by itself. Best effort by design: two reports
racing may drop one, and the next report puts it back."""

import time

from django.core.cache import cache

FRESH_SECONDS = 25


def _key(ticket_id: int) -> str:
    return f"presence:ticket:{ticket_id}"


def report(ticket_id: int, user_id: int, name: str, *, typing: bool) -> list[dict]:
    """Record that this user has the ticket open; returns the OTHER people there now."""
    now = time.time()
    seen = cache.get(_key(ticket_id)) or {}
    seen = {uid: v for uid, v in seen.items() if now - v["at"] < FRESH_SECONDS}
    seen[user_id] = {"name": name, "typing": typing, "at": now}
    cache.set(_key(ticket_id), seen, timeout=FRESH_SECONDS * 2)
    return [v for uid, v in seen.items() if uid != user_id]


def leave(ticket_id: int, user_id: int) -> None:
    seen = cache.get(_key(ticket_id)) or {}
    if seen.pop(user_id, None) is not None:
        cache.set(_key(ticket_id), seen, timeout=FRESH_SECONDS * 2)
