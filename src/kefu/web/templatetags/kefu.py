from django import template

from kefu.org.roles import Tier
from kefu.tickets.models import Channel, Status

register = template.Library()


@register.filter
def channel_label(value):
    return Channel(value).label if value in Channel.values else value


@register.filter
def status_label(value):
    return Status(value).label if value in Status.values else value


@register.filter
def tier_label(value):
    return Tier(value).label if value in Tier.values else value


@register.filter
def actor_name(user):
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return staff.display_name if staff else user.get_username()
