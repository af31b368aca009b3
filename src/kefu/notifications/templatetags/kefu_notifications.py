from django import template

from kefu.notifications.selectors import BELL_CAP, unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context):
    """The desk's bell with the unread count (one indexed, capped count)."""
    request = context.get("request")
    count = unread_count(getattr(request, "user", None))
    return {"count": count, "capped": count > BELL_CAP, "cap": BELL_CAP}
