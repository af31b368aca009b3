"""The customer's side of after-sales: the electronic warranty card (电子保修卡), looked up by
serial number AND the buyer's mobile. A wrong pair shows the same "not found" as an unknown
serial, so the page never tells a stranger that a serial exists."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kefu.errors import KefuError, NotFound
from kefu.tickets.selectors import get_by_tracking_token
from kefu.web.portal_page import over_rate_limit, private_page

from . import booking, payments, selectors
from .models import FeeQuote


@never_cache
def warranty(request):
    """GET: the form (the QR code on the card fills in ?serial=); POST: the card."""
    form = request.POST if request.method == "POST" else {"serial": request.GET.get("serial", "")}
    context = {"form": form}
    if request.method == "POST":
        if over_rate_limit(request):
            context["error"] = _(
                "Too many requests from your network in the last hour. Please call our hotline or try again later."
            )
            return private_page(
                render(request, "aftersales/portal_warranty.html", context, status=429)
            )
        purchase = selectors.purchase_by_serial_and_mobile(
            str(form.get("serial", ""))[:60], str(form.get("mobile", ""))[:20]
        )
        if purchase is None:
            context["error"] = _(
                "No warranty card matches this serial number and mobile. Check both, or call our hotline."
            )
        else:
            context["card"] = selectors.warranty_card(purchase)
    return private_page(render(request, "aftersales/portal_warranty.html", context))


@require_POST
def track_quote(request, token, pk):
    """The customer accepts or declines a repair quote on the tracking page."""
    try:
        ticket = get_by_tracking_token(token)
    except NotFound:
        return private_page(render(request, "portal/not_found.html", status=404))
    quote = FeeQuote.objects.filter(pk=pk, ticket=ticket).first()
    if quote is None:
        return private_page(render(request, "portal/not_found.html", status=404))
    accept = request.POST.get("accept") == "1"
    try:
        payments.decide_quote(actor=None, quote=quote, accept=accept, via="tracking")
    except KefuError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(
            request,
            _("Thank you: the quote is accepted and the work can go ahead.")
            if accept
            else _("The quote is declined; we will be in touch."),
        )
    return private_page(redirect("portal:track", token=token))


@require_POST
def track_booking(request, token):
    """Book, move or cancel a delivery / installation from the tracking page."""
    try:
        ticket = get_by_tracking_token(token)
    except NotFound:
        return private_page(render(request, "portal/not_found.html", status=404))
    form = request.POST
    date, _sep, window = str(form.get("slot", "")).partition("|")
    try:
        if form.get("action") == "cancel":
            booking.cancel(ticket=ticket, visit_id=form.get("visit"))
            messages.success(request, _("Your appointment is cancelled."))
        elif form.get("action") == "reschedule":
            booking.reschedule(ticket=ticket, visit_id=form.get("visit"), date=date, window=window)
            messages.success(request, _("Your appointment is moved."))
        else:
            booking.book(ticket=ticket, kind=form.get("kind", ""), date=date, window=window)
            messages.success(request, _("Your appointment is booked."))
    except NotFound:
        return private_page(render(request, "portal/not_found.html", status=404))
    except KefuError as exc:
        messages.error(request, exc.text())
    return private_page(redirect("portal:track", token=token))
