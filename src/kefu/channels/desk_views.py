"""The hotline at the desk: /desk/channels/calls/ — the agent's incoming calls (the pops), the
callback tasks (待回拨), a caller-number lookup and the form that logs the call (a note on an
open ticket, or a new ticket). The caller's number travels in POST bodies, never in a URL."""

from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kefu.errors import KefuError
from kefu.org.selectors import can, stores_for
from kefu.tickets.models import TicketType
from kefu.web.ticket_page import staff_required

from . import calls as service


@staff_required
def calls(request, pk=None):
    if not can(request.user, service.RIGHT):
        return HttpResponseForbidden(_("Your role may not log calls."))
    call = service.call_for(request.user, pk) if pk else None
    form = request.POST if request.method == "POST" else {}
    phone = form.get("phone", "")[:20] or (call.phone if call else "")
    context = {
        "call": call,
        "mine": service.my_calls(request.user),
        "callbacks": service.callbacks_for(request.user),
        "types": TicketType.choices,
        "stores": stores_for(request.user),
        "form": form,
        "phone": phone,
    }
    status = 200
    if phone:
        try:
            context["found"] = service.lookup(request.user, phone)
            # A new ticket is most likely for the store of the caller's open ticket, or the call's.
            open_tickets = context["found"].get("open_tickets") or []
            ticket = open_tickets[0] if open_tickets else (call.ticket if call else None)
            context["default_store"] = ticket.store.code if ticket else ""
        except KefuError as exc:
            context["error"], status = exc.text(), exc.status
    if request.method == "POST" and form.get("action") in ("note", "new") and "found" in context:
        try:
            ticket = service.log_call(
                actor=request.user,
                phone=phone,
                action=form["action"],
                note=form.get("note", ""),
                call=call,
                ticket_id=form.get("ticket"),
                name=form.get("name", ""),
                type=form.get("type", ""),
                subject=form.get("subject", ""),
                store=form.get("store", ""),
            )
        except KefuError as exc:
            context["error"], status = exc.text(), exc.status
        else:
            messages.success(
                request, _("Call logged on ticket %(number)s.") % {"number": ticket.number}
            )
            return redirect("desk:ticket", pk=ticket.pk)
    return render(request, "channels/calls.html", context, status=status)
