from django import template

from kefu.org.roles import Role, Tier
from kefu.tickets.models import Channel, Priority, Status, TicketType

register = template.Library()


def _label(choices, value):
    # One enum lookup (a queue page asks 100 times; Model.get_FOO_display rebuilds a dict of
    # every choice on each call).
    try:
        return choices(value).label
    except ValueError:
        return value


@register.filter(expects_localtime=True)
def clock(value, fmt):
    """A date-time in local time as ``strftime(fmt)``, for digits-only formats: what the
    ``date`` filter gives for "Y-m-d H:i" (%Y-%m-%d %H:%M), at a tenth of its cost (a queue
    page shows two per row)."""
    return value.strftime(fmt) if value else ""


@register.filter
def channel_label(value):
    return _label(Channel, value)


@register.filter
def status_label(value):
    return _label(Status, value)


@register.filter
def tier_label(value):
    return _label(Tier, value)


@register.filter
def role_label(value):
    return _label(Role, value)


@register.filter
def type_label(value):
    return _label(TicketType, value)


@register.filter
def priority_label(value):
    return _label(Priority, value)


@register.filter
def actor_name(user):
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return staff.display_name if staff else user.get_username()
