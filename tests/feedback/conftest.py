"""Fixtures for the customer's voice."""

import pytest


@pytest.fixture
def resolved(chain, users):
    """resolved("SH001", type="complaint") — a ticket opened and resolved through the real services."""
    from kefu.tickets import services
    from tests.factories import open_ticket

    def make(store="SH001", *, actor="cs_agent", **kw):
        ticket = open_ticket(chain["stores"][store], **kw)
        if (
            ticket.type == "complaint"
        ):  # as at a real desk: a complaint is resolved only with its root cause
            from kefu.quality.services import set_root_cause

            set_root_cause(actor=users[actor], ticket=ticket, code="slow_service")
        return services.change_status(actor=users[actor], ticket=ticket, status="resolved")

    return make
