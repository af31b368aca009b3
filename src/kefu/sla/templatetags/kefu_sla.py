"""Template helpers for SLA: countdown badges (green / amber / red) and the manager check."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from kefu.markup import format_html
from kefu.org.selectors import can

register = template.Library()


def _span(delta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)sm") % {"h": hours, "m": minutes}
    return _("%(m)sm") % {"m": minutes}


def badge(due, warn_at=None, *, paused=False, now=None) -> dict:
    """How a due time looks: red once overdue, amber from its warning instant, green before;
    grey while paused. The text is the wall-clock time left (or overdue by)."""
    if paused:
        return {"cls": "paused", "text": _("paused"), "due": due}
    if due is None:
        return {"cls": "none", "text": "", "due": None}
    now = now or timezone.now()
    left = due - now
    if left.total_seconds() <= 0:
        return {"cls": "late", "text": _("overdue %(span)s") % {"span": _span(left)}, "due": due}
    cls = "warn" if warn_at is not None and warn_at <= now else "ok"
    return {"cls": cls, "text": _span(left), "due": due}


def badge_html(b: dict) -> str:
    """sla/_due_badge.html in Python (a queue page draws one per row)."""
    if b["cls"] == "none":
        return mark_safe('<span class="muted">—</span>')
    title = (
        format_html(' title="{} {}"', _("Due"), localtime(b["due"]).strftime("%Y-%m-%d %H:%M"))
        if b["due"]
        else ""
    )
    return format_html(
        '<span class="sla-badge sla-{}" data-sla="{}"{}>{}</span>',
        b["cls"],
        b["cls"],
        title,
        b["text"],
    )


@register.simple_tag
def sla_badge(ticket):
    """The ticket's next due time as a countdown badge (from the ticket row: no query)."""
    if not ticket.sla_policy or not ticket.is_open:
        return badge_html(badge(None))
    return badge_html(
        badge(ticket.sla_due, ticket.sla_warn_at, paused=ticket.sla_paused_at is not None)
    )


@register.inclusion_tag("sla/_due_badge.html")
def clock_badge(clock):
    """A running clock's countdown (panel)."""
    if clock.state not in ("running", "paused"):
        return {"b": badge(None)}
    return {"b": badge(clock.due_at, clock.warn_at, paused=clock.state == "paused")}


@register.filter
def sla_manager(user) -> bool:
    return can(user, "sla.breaching")
