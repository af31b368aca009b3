"""Shared fixtures: a small chain (two regions, three stores), one user per role, API clients."""

import os

import pytest

CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config):
    # Unit tests run Huey tasks in-process (the same task code, no consumer); tests/test_tasks.py
    # runs a real consumer on the real queue. (Pure rule-core tests may run with -p no:django.)
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings
        from huey.contrib.djhuey import HUEY

        HUEY.immediate = True
        # Each test builds a dozen users; a real password hash (PBKDF2) would cost seconds.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        # One cache per test process (the portal's rate limit must not carry over between runs).
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _empty_cache(request):
    if not request.config.pluginmanager.hasplugin("django"):  # pure rule-core runs (-p no:django)
        return
    from django.core.cache import cache

    cache.clear()


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests run in the PostgreSQL leg; in the SQLite leg they are left out."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if on_postgres:
        return
    kept = [item for item in items if "postgres" not in item.keywords]
    dropped = len(items) - len(kept)
    if dropped:
        config.hook.pytest_deselected(items=[i for i in items if "postgres" in i.keywords])
        items[:] = kept


@pytest.fixture
def chain(db):
    from tests.factories import build_chain

    return build_chain()


@pytest.fixture
def users(chain):
    return chain["users"]


@pytest.fixture
def api(users):
    """api("cs_agent").get(...) — a test client authenticated with that user's bearer token."""
    from django.test import Client

    from kefu.org.services import token_for

    clients = {}

    def client_for(username: str, **headers):
        if username not in clients:
            token = token_for(username)
            clients[username] = Client(HTTP_AUTHORIZATION=f"Bearer {token}", **headers)
        return clients[username]

    return client_for


@pytest.fixture
def desk(users):
    """desk("staff_sh001") — a test client logged in to the desk as that user; like the
    browser, it loads the panels a ticket page asks for after it arrives (DeskClient)."""
    from tests.desk_client import DeskClient

    def client_for(username: str):
        client = DeskClient()
        client.force_login(users[username])
        return client

    return client_for
