"""The customer's side: get a lost tracking link back with the ticket number and the mobile on
file (a one-time code by SMS). The answer never says whether a number or mobile exists."""

from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kefu.web.portal_page import client_address, private_page

from . import services

TRIES_PER_ADDRESS_PER_HOUR = 10


def _over_limit(request) -> bool:
    key = f"channels:find-link:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > TRIES_PER_ADDRESS_PER_HOUR
    except ValueError:
        cache.set(key, 1, timeout=3600)
        return False


@never_cache
def find_link(request):
    form = request.POST if request.method == "POST" else {}
    context = {"form": form, "step": "ask"}
    if request.method != "POST":
        return private_page(render(request, "channels/find_link.html", context))
    if _over_limit(request):
        context["error"] = _("Too many attempts from your network. Please try again in an hour.")
        return private_page(render(request, "channels/find_link.html", context, status=429))
    number, mobile = form.get("number", "")[:30], form.get("mobile", "")[:20]
    if form.get("code"):
        ticket = services.redeem_link_code(number=number, mobile=mobile, code=form["code"][:10])
        if ticket is not None:
            return private_page(redirect("portal:track", token=ticket.tracking_token))
        context.update(step="code", error=_("The code is wrong or has expired."))
        return private_page(render(request, "channels/find_link.html", context, status=422))
    services.request_link_code(number=number, mobile=mobile)
    context["step"] = "code"
    return private_page(render(request, "channels/find_link.html", context))
