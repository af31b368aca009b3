"""Opting out of follow-up calls, surveys and marketing (退订): every message that asks for the
customer's time (the survey link in "resolved", the 回访 notice) carries a signed link to a
one-click page on the portal; the page (or a mail client's RFC 8058 one-click POST) withdraws
the customer's consent. Service notices about their own ticket keep coming — they are not
marketing — but nothing that needs consent goes out again (rules.choose_channel, message_params)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.customers.models import Customer
from kefu.errors import NotFound
from kefu.tickets.models import Ticket
from kefu.tickets.timeline import lock_ticket, record_event

SALT = "kefu.channels.optout"
EVENT = "opted_out"


def token_for(ticket: Ticket) -> str:
    """A signed token naming the customer and the ticket whose message carried it (no expiry:
    an unsubscribe link must keep working; it can only ever withdraw consent)."""
    return signing.dumps({"c": ticket.customer_id, "t": ticket.pk}, salt=SALT, compress=True)


def link_for(ticket: Ticket) -> str:
    path = reverse("portal:optout", kwargs={"token": token_for(ticket)})
    return (settings.KEFU_PUBLIC_URL or "http://127.0.0.1:8000").rstrip("/") + path


def read(token: str) -> tuple[Customer, Ticket]:
    """The customer and ticket of a token, or NotFound (forged, altered, or the customer gone)."""
    try:
        data = signing.loads((token or "")[:300], salt=SALT)
        customer_id, ticket_id = int(data["c"]), int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(gettext_lazy("This link is not valid.")) from None
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is None or ticket.customer_id != customer_id:
        raise NotFound(gettext_lazy("This link is not valid."))
    return ticket.customer, ticket


def opt_out(token: str, *, how: str = "link") -> bool:
    """Withdraw the customer's consent to follow-up calls, surveys and marketing. One
    transaction, one "opted_out" event on the ticket whose message carried the link. Returns
    False when consent was already withdrawn (nothing changes, no second event)."""
    customer, ticket = read(token)
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if not customer.consent_contact and not customer.consent_marketing:
            return False
        customer.consent_contact = False
        customer.consent_marketing = False
        customer.save(update_fields=["consent_contact", "consent_marketing"])
        with translation.override(settings.LANGUAGE_CODE):
            body = _(
                "The customer unsubscribed from follow-up calls, surveys and marketing "
                "(link in our message)."
            )
        record_event(ticket, EVENT, None, body=str(body), how=how[:20])
    return True
