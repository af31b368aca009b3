"""The Huey instance: SQLite storage by default, Redis when REDIS_URL is set (see settings.HUEY).

Apps define their tasks in <app>/tasks.py, which djhuey imports in every consumer."""

from huey.contrib.djhuey import HUEY as huey  # noqa: F401
from huey.contrib.djhuey import db_task


def queued(func, *, name: str | None = None, **options):
    """``func`` as a Huey task nobody waits for (a message to send, a file to build): the
    consumer runs it and keeps no answer. Huey keeps every task's non-None return value until
    someone reads it — a row in huey.sqlite3, a field of a Redis hash — and nobody reads these:
    the store grew by one entry per SMS, webhook and e-mail for ever, each a write by the
    consumer (issue 14). Calling ``func`` directly still returns its value. The task keeps the
    name Huey knows it by (``name``, default ``func``'s), so tasks already queued still run."""

    name = name or func.__name__

    def run(*args, **kwargs) -> None:
        func(*args, **kwargs)

    run.__name__ = run.__qualname__ = name
    run.__module__, run.__doc__ = func.__module__, func.__doc__
    return db_task(name=name, **options)(run)


def claim_period(name: str, seconds: int = 60, *, now: float | None = None) -> int | None:
    """Claim this period's run of the periodic task ``name`` for this consumer.

    Every consumer's scheduler enqueues each periodic task; with several consumers (several
    machines) the task would run once per consumer. The first to claim the period (an atomic
    add in the shared cache — Redis when REDIS_URL is set) runs it; the others get None and
    skip. Returns the period's number when claimed."""
    import time

    from django.core.cache import cache

    period = int((time.time() if now is None else now) // seconds)
    if cache.add(f"kefu:periodic:{name}:{period}", 1, timeout=seconds * 3):
        return period
    return None
