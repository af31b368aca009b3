from django import template
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from kefu.markup import format_html
from kefu.org.roles import Role, Tier
from kefu.sla.templatetags.kefu_sla import sla_badge
from kefu.tickets.models import Channel, Priority, Status, TicketType
from kefu.web.addresses import addresses_of

register = template.Library()


def _label(choices, value):
    # One enum lookup (a queue page asks 100 times; Model.get_FOO_display rebuilds a dict of
    # every choice on each call).
    try:
        return choices(value).label
    except ValueError:
        return value


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


@register.simple_tag
def queue_rows(tickets, pickable):
    """The rows of the desk's queue, drawn in Python as Django's admin draws its change list
    (``admin_list.items_for_result``): a queue page has 25 and the template language spent
    ~0.4 ms of CPU on each, half of the page's rendering (issue 14); a template loop around a
    tag for one row still added tens of µs a row. ``tickets`` come from the queue view
    (``customer_shown`` set); ``pickable``: the bulk bar's check boxes are shown."""
    ticket_page = addresses_of("desk:ticket")
    return mark_safe("".join(queue_row(t, pickable, ticket_page(t.pk)) for t in tickets))


def queue_row(t, pickable, href):
    """One row of the desk's queue (see queue_rows); ``href``: the ticket page's address."""
    customer = t.customer_shown
    pick = (
        format_html(
            '<td class="c-pick"><input type="checkbox" name="ids" value="{}" aria-label="{}"'
            ' data-testid="pick"></td>',
            t.pk,
            _("Select %(n)s") % {"n": t.number},
        )
        if pickable
        else ""
    )
    if t.assignee_id:
        assignee = actor_name(t.assignee) or t.assignee.get_username()
    else:
        assignee = mark_safe('<span class="muted">—</span>')
    created = localtime(t.created_at)
    return format_html(
        '<tr class="prio-{prio}" data-testid="queue-row">{pick}'
        '<td class="c-number"><a href="{href}">{number}</a></td>'
        '<td class="c-subject"><a href="{href}">{subject}</a></td>'
        '<td class="c-customer">{name} <span class="muted">{phone}</span></td>'
        '<td class="c-type">{type}</td>'
        '<td class="c-status"><span class="badge status-{status}">{status_label}</span></td>'
        '<td class="c-prio"><span class="prio prio-{prio}">{prio_label}</span></td>'
        '<td class="c-due">{due}</td>'
        '<td class="c-rung">{rung}</td>'
        '<td class="c-store">{store}</td>'
        '<td class="c-assignee">{assignee}</td>'
        '<td class="c-created" title="{created_long}">{created}</td></tr>',
        prio=t.priority,
        pick=pick,
        href=href,
        number=t.number,
        subject=t.subject,
        name=customer["name"],
        phone=customer["phone"],
        type=type_label(t.type),
        status=t.status,
        status_label=status_label(t.status),
        prio_label=priority_label(t.priority),
        due=sla_badge(t),
        rung=tier_label(t.escalation_tier),
        store=t.store.code,
        assignee=assignee,
        created_long=created.strftime("%Y-%m-%d %H:%M"),
        created=created.strftime("%m-%d %H:%M"),
    )
