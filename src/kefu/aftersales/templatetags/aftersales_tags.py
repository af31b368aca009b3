"""{% load aftersales_tags %}: the quotes awaiting the customer's answer, for the tracking page
(which belongs to kefu.web and does not know about after-sales)."""

from django import template

from kefu.aftersales.models import FeeQuote, QuoteStatus

register = template.Library()


@register.simple_tag
def open_quotes(ticket) -> list:
    return list(FeeQuote.objects.filter(ticket=ticket, status=QuoteStatus.PROPOSED).order_by("id"))
