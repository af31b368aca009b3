"""{% home_numbers %}: the manager's this-week-vs-last strip at the top of the desk home."""

import datetime

from django import template
from django.utils import timezone

from kefu.errors import NotFound
from kefu.org.selectors import can, staff_of

from .. import selectors, services
from ..views import week_rows

register = template.Library()


@register.inclusion_tag("analytics/_home_numbers.html", takes_context=True)
def home_numbers(context):
    """Shown to the managers who get a weekly report (store, region, CS department), on the
    queue's default view only (not on every filtered page)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    staff = staff_of(user) if user is not None and user.is_authenticated else None
    if (
        staff is None
        or staff.role not in services.WEEKLY_ROLES
        or not can(user, "analytics.view")
        or request.GET
    ):
        return {"show": False}
    try:
        scope = selectors.scope_for(user)
    except NotFound:
        return {"show": False}
    monday = selectors.monday(timezone.localdate())
    this_week = selectors.week_numbers(scope, monday)
    last_week = selectors.week_numbers(scope, monday - datetime.timedelta(days=7))
    return {"show": True, "scope": scope, "weeks": week_rows(this_week, last_week)}
