"""Fixtures for the customer's voice."""

import pytest


@pytest.fixture
def resolved(chain, users):
    """resolved("SH001", type="complaint") — a ticket opened and resolved through the real services."""
    from kefu.tickets import services
    from tests.factories import open_ticket

    def make(store="SH001", *, actor="cs_agent", **kw):
        from tests.factories import CustomerFactory

        # As at a real desk: a customer first served at a store is registered there (and so
        # on file for that store's people, who see the name in the call script).
        customer = kw.pop("customer", None) or CustomerFactory()
        if customer.home_store_id is None:
            customer.home_store = chain["stores"][store]
            customer.save(update_fields=["home_store"])
        ticket = open_ticket(chain["stores"][store], customer=customer, **kw)
        if (
            ticket.type == "complaint"
        ):  # as at a real desk: a complaint is resolved only with its root cause
            from kefu.quality.services import set_root_cause

            set_root_cause(actor=users[actor], ticket=ticket, code="slow_service")
        return services.change_status(actor=users[actor], ticket=ticket, status="resolved")

    return make
