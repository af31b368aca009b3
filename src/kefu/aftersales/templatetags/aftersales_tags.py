"""{% load aftersales_tags %}: the quotes awaiting the customer's answer, for the tracking page
(which belongs to kefu.web and does not know about after-sales)."""

from django import template

from kefu.aftersales import booking
from kefu.aftersales.models import FeeQuote, QuoteStatus, VisitKind, VisitWindow

register = template.Library()


@register.simple_tag
def open_quotes(ticket) -> list:
    return list(FeeQuote.objects.filter(ticket=ticket, status=QuoteStatus.PROPOSED).order_by("id"))


@register.simple_tag
def booking_panel(ticket) -> dict:
    """The customer's appointments and the free slots to book or move to (installation and
    delivery tickets, and any ticket that already has such an appointment)."""
    visits = list(booking.bookable_visits(ticket))
    if ticket.type != "installation" and not visits:
        return {"show": False}
    labels = dict(VisitWindow.choices)
    slots = [
        {"value": f"{d.isoformat()}|{w}", "label": f"{d:%m-%d} {labels[w]}"}
        for d, w in booking.free_slots(ticket)
    ]
    booked = {v.kind for v in visits}
    kinds = [(k, VisitKind(k).label) for k in booking.BOOKABLE if k not in booked]
    return {"show": True, "visits": visits, "slots": slots, "kinds": kinds}
