"""The customer's side: get a lost tracking link back with the ticket number and the mobile on
file (a one-time code by SMS; the answer never says whether a number or mobile exists); the
one-click unsubscribe page; and the WeChat server endpoint."""

import logging

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from kefu.errors import InvalidInput, KefuError
from kefu.web.portal_page import client_address, private_page

from . import optout, services, wechat

log = logging.getLogger("kefu.channels")

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


@csrf_exempt
def wechat_endpoint(request):
    """The Official Account's server URL: GET answers the verification's echostr, POST takes a
    message in. Both need the signature made with KEFU_WECHAT_TOKEN; WeChat wants "success"
    within 5 seconds (our answer to the customer goes later, as a customer-service message)."""
    if not wechat.signature_ok(request.GET):
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    if request.method == "GET":
        return HttpResponse(request.GET.get("echostr", "")[:100], content_type="text/plain")
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        fields = wechat.parse(request.read(wechat.MAX_XML + 1), request.GET)
    except InvalidInput:
        return HttpResponse("malformed", status=400, content_type="text/plain")
    try:
        outcome, _ticket = wechat.take_in(fields)
    except KefuError as exc:
        outcome = "refused"
        log.warning("wechat message refused: %s", exc.code)
    log.info("wechat message: %s", outcome)
    return HttpResponse("success", content_type="text/plain")


@csrf_exempt  # the signed token is the authority; RFC 8058 one-click POSTs carry no CSRF token
@never_cache
def optout_page(request, token):
    """The one-click unsubscribe page (退订): GET shows what stops and one button, POST (the
    button, or a mail client's List-Unsubscribe=One-Click) withdraws consent. A forged link is
    a 404 and changes nothing."""
    try:
        customer, ticket = optout.read(token)
    except KefuError:
        return private_page(render(request, "channels/optout.html", {"invalid": True}, status=404))
    done = False
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        optout.opt_out(token, how="one_click" if one_click else "page")
        done = True
    elif request.method != "GET":
        return HttpResponse(status=405)
    context = {
        "done": done or not (customer.consent_contact or customer.consent_marketing),
        "number": ticket.number,
    }
    return private_page(render(request, "channels/optout.html", context))
