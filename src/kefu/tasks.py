"""The Huey instance: SQLite storage by default, Redis when REDIS_URL is set (see settings.HUEY).

Apps define their tasks in <app>/tasks.py, which djhuey imports in every consumer."""

from huey.contrib.djhuey import HUEY as huey  # noqa: F401


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
