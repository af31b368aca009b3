"""Reads: a ticket's delivery log, scoped like the ticket (404 outside the reader's scope)."""

from kefu.tickets.selectors import get_ticket

from .models import Delivery


def deliveries_for(user, ticket_id) -> list[Delivery]:
    ticket = get_ticket(user, ticket_id)
    return list(Delivery.objects.filter(ticket=ticket).order_by("id")[:500])
