"""The customer's side of after-sales: the electronic warranty card (电子保修卡), looked up by
serial number AND the buyer's mobile. A wrong pair shows the same "not found" as an unknown
serial, so the page never tells a stranger that a serial exists."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kefu.web.portal_page import over_rate_limit, private_page

from . import selectors


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
