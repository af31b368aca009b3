"""Fixtures for the customer's voice."""

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # build_chain hashes fourteen passwords; PBKDF2 makes that seconds per test on a busy machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def resolved(chain, users):
    """resolved("SH001", type="complaint") — a ticket opened and resolved through the real services."""
    from kefu.tickets import services
    from tests.factories import open_ticket

    def make(store="SH001", *, actor="cs_agent", **kw):
        ticket = open_ticket(chain["stores"][store], **kw)
        return services.change_status(actor=users[actor], ticket=ticket, status="resolved")

    return make
