"""The hotline at the desk (来电登记): look the caller's number up (the customer, their
purchases and open tickets, in the agent's scope and masked as the role may see them), then
open a ticket or add a note to an open one. A missed call from the call-centre is a callback
task (待回拨) until an agent logs the call back here. Rights: ``channels.calls``."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu import clean
from kefu.customers import selectors as customer_selectors
from kefu.customers.names import mask_phone
from kefu.customers.services import clean_mobile, find_or_create_customer
from kefu.errors import Forbidden, InvalidInput, NotFound
from kefu.org.selectors import can, stores_for
from kefu.tickets import selectors as ticket_selectors
from kefu.tickets import services as ticket_services
from kefu.tickets.models import OPEN_STATUSES, Channel, Ticket
from kefu.tickets.timeline import lock_ticket, record_event

from .models import Call, CallStatus

RIGHT = "channels.calls"
RECENT = dt.timedelta(hours=8)


def _require(user) -> None:
    if not can(user, RIGHT):
        raise Forbidden(_("Your role may not log calls."))


def lookup(user, phone: str) -> dict:
    """What the desk shows for a caller's number: the customer as this user may see them
    (masked unless on file here), their purchases and open tickets in scope. A number that is
    not on file (or not in scope) finds nobody: the agent records a new caller."""
    _require(user)
    phone = clean_mobile(phone, field="phone")
    customer = customer_selectors.customers_visible_to(user).filter(phone=phone).first()
    out = {"phone_masked": mask_phone(phone), "customer": None}
    if customer is None:
        return out
    out.update(
        customer=customer,
        shown=customer_selectors.shown(user, customer),
        purchases=list(customer_selectors.purchases_of(user, customer)[:10]),
        open_tickets=list(
            ticket_selectors.tickets_visible_to(user)
            .filter(customer=customer, status__in=OPEN_STATUSES)
            .select_related("store")
            .order_by("-id")[:10]
        ),
    )
    return out


def callbacks_for(user):
    """Missed calls not yet called back, on tickets in the user's scope, oldest first."""
    visible = ticket_selectors.tickets_visible_to(user).values("pk")
    return (
        Call.objects.filter(
            status=CallStatus.MISSED, called_back_at__isnull=True, ticket__in=visible
        )
        .select_related("ticket")
        .order_by("id")[:50]
    )


def my_calls(user):
    """The calls the call-centre put through to this agent in the last hours (the pops)."""
    return (
        Call.objects.filter(agent=user, created_at__gte=timezone.now() - RECENT)
        .exclude(status=CallStatus.LOGGED)
        .select_related("ticket")
        .order_by("-id")[:10]
    )


def call_for(user, call_id: int) -> Call:
    """A call the user may work on: put through to them, or on a ticket in their scope."""
    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        raise NotFound()
    visible = ticket_selectors.tickets_visible_to(user).filter(pk=call.ticket_id).exists()
    if call.agent_id != user.pk and not visible:
        raise NotFound()
    return call


def log_call(
    *,
    actor,
    phone: str,
    action: str,
    note: str = "",
    call: Call | None = None,
    ticket_id=None,
    name: str = "",
    type: str = "",
    subject: str = "",
    store: str = "",
) -> Ticket:
    """Log a call (or the call back of a missed one): a note on the caller's open ticket, or a
    new ticket (channel phone). One transaction: the ticket change, a "call" line on its
    timeline and the Call row (a callback task is done)."""
    _require(actor)
    phone = clean_mobile(phone, field="phone")
    if action not in ("note", "new"):
        raise InvalidInput(_("%(field)s: this field is required."), field="action")
    note = clean.text(note, "note", required=action == "note", max_length=2000)
    with transaction.atomic():
        if action == "note":
            try:
                wanted = int(ticket_id)
            except (TypeError, ValueError):
                raise InvalidInput(
                    _("%(field)s: this field is required."), field="ticket"
                ) from None
            ticket = ticket_selectors.get_ticket(actor, wanted)
            if ticket.customer.phone != phone or ticket.status not in OPEN_STATUSES:
                raise InvalidInput(_("Choose one of the caller's open tickets."), field="ticket")
            ticket = lock_ticket(ticket)
        else:
            stores = stores_for(actor)
            chosen = stores.filter(code=store).first()
            if chosen is None:
                raise InvalidInput(_("%(field)s: this field is required."), field="store")
            customer = find_or_create_customer(
                actor=actor, name=name, phone=phone, store=chosen, field_prefix=""
            )
            ticket, _created = ticket_services.open_ticket(
                actor=actor,
                type=type,
                channel=Channel.PHONE,
                subject=subject,
                description=note,
                store=chosen,
                customer=customer,
            )
        called_back = call is not None and call.status == CallStatus.MISSED
        record_event(
            ticket,
            "call",
            actor,
            body=note or str(_("Call logged at the desk.")),
            missed=False,
            call_id=call.call_id if call else "",
            callback=called_back,
        )
        now = timezone.now()
        if call is None:
            Call.objects.create(
                call_id=f"desk-{secrets.token_hex(8)}",
                phone=phone,
                phone_masked=mask_phone(phone),
                customer=ticket.customer,
                ticket=ticket,
                agent=actor,
                status=CallStatus.LOGGED,
            )
        else:
            Call.objects.filter(pk=call.pk).update(
                ticket=ticket,
                customer=ticket.customer,
                called_back_at=now if called_back else call.called_back_at,
                updated_at=now,
            )
    return ticket
