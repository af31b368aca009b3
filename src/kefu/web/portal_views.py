"""The customer portal (/): submit a request, then follow it through a private tracking link."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kefu.customers.models import Gender
from kefu.customers.services import find_or_create_customer
from kefu.errors import KefuError, NotFound
from kefu.knowledge import selectors as knowledge_selectors
from kefu.knowledge import services as knowledge_services
from kefu.org.models import Store
from kefu.tickets import selectors, services
from kefu.tickets.models import Channel, Status, TicketType

from .portal_page import over_rate_limit, private_page

PORTAL_TYPES = [
    TicketType.CONSULTATION,
    TicketType.FAULT_REPORT,
    TicketType.RETURN_EXCHANGE,
    TicketType.COMPLAINT,
    TicketType.SUGGESTION,
]


def home(request):
    stores = Store.objects.filter(is_active=True).select_related("region")
    context = {
        "stores": stores,
        "types": [(t.value, t.label) for t in PORTAL_TYPES],
        "genders": Gender.choices,
        "form": request.POST if request.method == "POST" else {},
        # The most-read help articles, before the customer types anything.
        "suggestions": knowledge_selectors.public_articles().order_by("-views", "id")[:4],
    }
    if request.method != "POST":
        return render(request, "portal/home.html", context)
    form = request.POST
    if form.get("type") not in [t.value for t in PORTAL_TYPES]:
        return render(
            request,
            "portal/home.html",
            {**context, "error": _("Please choose what your request is about.")},
            status=422,
        )
    if form.get("gender") not in Gender.values:
        return render(
            request,
            "portal/home.html",
            {**context, "error": _("Please choose how we should address you.")},
            status=422,
        )
    if not form.get("consent"):
        return render(
            request,
            "portal/home.html",
            {
                **context,
                "error": _("Please agree that we use your contact details to handle this request."),
            },
            status=422,
        )
    if over_rate_limit(request):
        return render(
            request,
            "portal/home.html",
            {
                **context,
                "error": _(
                    "Too many requests from your network in the last hour. Please call our hotline or try again later."
                ),
            },
            status=429,
        )
    try:
        with transaction.atomic():
            customer = find_or_create_customer(
                actor=None,
                name=form.get("name", ""),
                phone=form.get("phone", ""),
                email=form.get("email", ""),
                gender=form["gender"],
                field_prefix="",
            )
            ticket, _created = services.open_ticket(
                actor=None,
                type=form["type"],
                channel=Channel.WEB,
                subject=form.get("subject", ""),
                description=form.get("description", ""),
                store=form.get("store", ""),
                customer=customer,
            )
            upload = request.FILES.get("file")
            if upload:
                services.add_attachment(
                    actor=None, ticket=ticket, name=upload.name, data=services.read_upload(upload)
                )
    except KefuError as exc:
        return render(
            request, "portal/home.html", {**context, "error": exc.text()}, status=exc.status
        )
    # Whatever help this visitor read, it did not settle the question: not a deflection.
    knowledge_services.record_submission(request.session.session_key)
    request.session[f"submitted:{ticket.tracking_token}"] = True
    return redirect("portal:track", token=ticket.tracking_token)


@never_cache
def track(request, token):
    try:
        ticket = selectors.get_by_tracking_token(token)
    except NotFound:
        return private_page(render(request, "portal/not_found.html", status=404))
    error = None
    status = 200
    if request.method == "POST" and over_rate_limit(
        request, "portal-message", settings.KEFU_PORTAL_MESSAGES_PER_HOUR
    ):
        error, status = (
            _("Too many messages from your network in the last hour. Please try again later."),
            429,
        )
    elif request.method == "POST":
        try:
            services.add_customer_message(ticket=ticket, body=request.POST.get("body", ""))
            messages.success(request, _("Thank you, your message has been sent."))
            return private_page(redirect("portal:track", token=token))
        except KefuError as exc:
            error, status = exc.text(), exc.status
    just_submitted = request.session.pop(f"submitted:{token}", False)
    everything = request.GET.get("all") == "1"
    events, older = selectors.public_timeline(
        ticket, limit=None if everything else selectors.PORTAL_EVENTS
    )
    return private_page(
        render(
            request,
            "portal/track.html",
            {
                "ticket": ticket,
                "events": events,
                "older": older,
                "timetable": selectors.promised_timetable(ticket),
                "error": error,
                "just_submitted": just_submitted,
                "closed": ticket.status == Status.CLOSED,
                "link": request.build_absolute_uri(),
            },
            status=status,
        )
    )
