"""SLA test helpers: fresh rule caches per test, frozen time, and a store on office hours."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    """An aware Asia/Shanghai datetime: at(2026, 10, 8, 12)."""
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def fresh_rules():
    """Calendars, policies and triggers are cached per process; a test's rolled-back admin edits
    must not leak into the next test."""
    from kefu.sla import selectors

    selectors.clear_caches()
    yield
    selectors.clear_caches()


@pytest.fixture
def seeded(db):
    """The seeded rows (a transactional test's flush removes what the migration wrote)."""
    from kefu.sla.seed import seed_all

    seed_all()


@pytest.fixture
def office_store(chain):
    """SH001 on the seeded ``backoffice`` calendar: 09-12 and 13-18 on official working days."""
    store = chain["stores"]["SH001"]
    store.calendar = "backoffice"
    store.save(update_fields=["calendar"])
    return store
