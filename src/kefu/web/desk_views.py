"""The agent desk (/desk/): queue, ticket page, new ticket, customers. Views parse the request,
call services and selectors, and render; they hold no business rules."""

import datetime
import secrets

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kefu.analytics import exports as analytics_exports
from kefu.analytics import services as analytics_services
from kefu.catalog.models import ProductCategory
from kefu.customers import datarights
from kefu.customers import selectors as customer_selectors
from kefu.customers.models import Gender
from kefu.customers.services import (
    find_or_create_customer,
    record_purchase,
    set_form_of_address,
    set_special_requirements,
)
from kefu.errors import InvalidInput, KefuError, NotFound
from kefu.knowledge import services as knowledge_services
from kefu.org.roles import Tier
from kefu.org.selectors import can, staff_of, stores_for
from kefu.tickets import selectors, services
from kefu.tickets.api import attachment_response
from kefu.tickets.models import Attachment, Channel, Priority, Status, TicketType

from . import presence
from .ticket_page import (
    colleagues_for,
    nav_links,
    panels_context,
    posted_version,
    run_action,
    staff_required,
    ticket_context,
    timeline_context,
)

PAGE_SIZE = 25
BULK_REFUSALS_SHOWN = 20
# The bulk bar's field that carries each action's value.
BULK_VALUE_FIELD = {"assign": "assignee", "status": "status", "add_tag": "tag", "remove_tag": "tag"}


class LoginView(auth_views.LoginView):
    template_name = "desk/login.html"
    redirect_authenticated_user = True


class CappedPaginator(Paginator):
    """Pages over a queryset whose count is capped: the queue never counts a million rows."""

    def __init__(self, object_list, per_page, count, **kw):
        super().__init__(object_list, per_page, **kw)
        self._capped_count = count

    @property
    def count(self):
        return self._capped_count


def _day(value):
    """A YYYY-MM-DD query value as a date (None when absent or not a date)."""
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


@staff_required
def queue(request):
    if not can(request.user, "tickets.queue"):
        # A partner outlet's people land on the first page they may use (their outlet's jobs).
        links = nav_links(request.user)
        if links:
            return redirect(links[0][1])
        raise NotFound("no queue")
    params = request.GET
    statuses = [s for s in params.getlist("status") if s in Status.values]
    # A search from the top bar looks through every status: an agent typing a ticket number
    # wants that ticket, resolved or closed ones included.
    searching = bool(params.get("q")) and "view" not in params
    view_name = params.get(
        "view", "open" if not statuses and "status" not in params and not searching else ""
    )
    if view_name == "open" and not statuses:
        statuses = [Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD]
    assignee = params.get("assignee") or None
    if view_name == "mine":
        assignee = request.user.username
    sort = params.get("sort", "newest")
    filters = {
        "status": statuses,
        "type": params.get("type") or None,
        "store": params.get("store") or None,
        "assignee": assignee,
        "escalation_tier": params.get("tier") or None,
        "q": params.get("q") or None,
        "channel": params.get("channel") or None,
        "priority": params.get("priority") or None,
        "region": params.get("region") or None,
        "opened_from": _day(params.get("from")),
        "opened_to": _day(params.get("to")),
    }
    tickets = selectors.ticket_queue(request.user, sort=sort, **filters)
    if params.get("format") in ("csv", "xlsx"):  # the filtered list as an export
        if not can(request.user, "analytics.export"):
            return HttpResponse(_("You may not export reports."), status=403)
        if params["format"] == "xlsx" and analytics_services.too_long_to_wait(tickets):
            job = analytics_services.request_export(
                request.user,
                source="queue",
                query={  # as JSON: the dates as YYYY-MM-DD
                    **filters,
                    **{k: str(filters[k]) for k in ("opened_from", "opened_to") if filters[k]},
                },
                title=_("Ticket list from the queue"),
            )
            return redirect(f"{reverse('analytics:exports')}?new={job.pk}")
        return analytics_exports.ticket_list_response(request.user, tickets, params["format"])
    count, capped = selectors.capped_count(tickets)
    paginator = CappedPaginator(selectors.Listing(tickets, tags=False), PAGE_SIZE, count)
    page: Page = paginator.get_page(params.get("page"))
    page.object_list = selectors.with_customer_disclosure(request.user, page.object_list)
    for t in page.object_list:
        t.customer_shown = selectors.customer_shown(request.user, t)
    query = params.copy()
    query.pop("page", None)
    here = request.get_full_path()
    saved = _saved_views(request.user, params)
    return render(
        request,
        "desk/queue.html",
        {
            "page": page,
            "count": count,
            "capped": capped,
            "query": query.urlencode(),
            "filters": {
                "status": statuses,
                "type": params.get("type", ""),
                "store": params.get("store", ""),
                "tier": params.get("tier", ""),
                "q": params.get("q", ""),
                "sort": sort,
                "view": view_name,
                "assignee": params.get("assignee", ""),
                # The reports' drill-down (kept through the filter form as hidden fields).
                "drill": {
                    k: params[k]
                    for k in ("from", "to", "channel", "priority", "region")
                    if params.get(k)
                },
            },
            "statuses": Status.choices,
            "types": TicketType.choices,
            "tiers": Tier.choices,
            "stores": stores_for(request.user),
            "here": here,
            "saved_views": saved,
            "active_view": next((v["view"] for v in saved if v["active"]), None),
            "current_filters": selectors.queue_filters(params),
            "may_share": can(request.user, "tickets.views.share"),
            "may_export": can(request.user, "analytics.export"),
            "bulk": _bulk_choices(request.user),
        },
    )


def _saved_views(user, params) -> list[dict]:
    active = params.get("saved", "")
    out = []
    for view in selectors.saved_views_for(user).select_related("owner__staff"):
        query = urlencode({**view.filters, "saved": view.pk}, doseq=True)
        out.append(
            {
                "view": view,
                "url": f"{reverse('desk:queue')}?{query}",
                "active": str(view.pk) == active,
                "own": view.owner_id == user.pk,
            }
        )
    return out


def _bulk_choices(user) -> dict:
    """What the queue's bulk bar offers this user: statuses, and the colleagues to assign to
    (``colleagues_for``; only oneself without the assign right)."""
    staff = staff_of(user)
    may_assign = can(user, "tickets.assign")
    colleagues = colleagues_for(staff) if may_assign and staff is not None else []
    return {
        "may": can(user, "tickets.status") or may_assign or can(user, "tickets.assign_self"),
        "may_assign": may_assign,
        "may_take": can(user, "tickets.assign_self"),
        "colleagues": colleagues,
        # A ticket never becomes "new" again: the bulk bar offers the statuses one moves to.
        "statuses": [(v, label) for v, label in Status.choices if v != Status.NEW],
    }


@require_POST
@staff_required
def queue_bulk(request):
    """Bulk actions from the queue: each chosen ticket through its service, one transaction per
    ticket; what was refused is listed with its reason."""
    form = request.POST
    back = form.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("desk:queue")
    try:
        result = services.bulk_apply(
            actor=request.user,
            ticket_ids=form.getlist("ids"),
            action=form.get("action", ""),
            value=form.get(BULK_VALUE_FIELD.get(form.get("action", ""), "value"), ""),
        )
    except KefuError as exc:
        messages.error(request, exc.text())
        return redirect(back)
    if result["done"]:
        messages.success(
            request,
            ngettext("%(count)s ticket changed.", "%(count)s tickets changed.", len(result["done"]))
            % {"count": len(result["done"])},
        )
    refused = result["refused"]
    for pk, number, exc in refused[:BULK_REFUSALS_SHOWN]:
        messages.error(
            request,
            _("%(number)s not changed: %(reason)s")
            % {"number": number or _("Ticket #%(id)s") % {"id": pk}, "reason": exc.text()},
        )
    if len(refused) > BULK_REFUSALS_SHOWN:
        messages.error(
            request,
            _("%(count)s more tickets not changed.")
            % {"count": len(refused) - BULK_REFUSALS_SHOWN},
        )
    return redirect(back)


@require_POST
@staff_required
def view_save(request):
    """Save the queue's current filters under a name (shared: managers only)."""
    form = request.POST
    filters = QueryDict(form.get("filters", ""))
    try:
        view = services.save_view(
            actor=request.user,
            name=form.get("name", ""),
            filters=filters,
            shared=form.get("shared") == "1",
        )
    except KefuError as exc:
        messages.error(request, exc.text())
        return redirect(f"{reverse('desk:queue')}?{filters.urlencode()}")
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    query = urlencode({**view.filters, "saved": view.pk}, doseq=True)
    return redirect(f"{reverse('desk:queue')}?{query}")


@require_POST
@staff_required
def view_rename(request, pk):
    try:
        view = services.rename_view(
            actor=request.user, view_id=pk, name=request.POST.get("name", "")
        )
    except NotFound:
        raise
    except KefuError as exc:
        messages.error(request, exc.text())
        return redirect("desk:queue")
    messages.success(request, _("View renamed to “%(name)s”.") % {"name": view.name})
    query = urlencode({**view.filters, "saved": view.pk}, doseq=True)
    return redirect(f"{reverse('desk:queue')}?{query}")


@require_POST
@staff_required
def view_delete(request, pk):
    services.delete_view(actor=request.user, view_id=pk)
    messages.success(request, _("View deleted."))
    return redirect("desk:queue")


@staff_required
def search(request):
    """The top bar's search: tickets (any status), customers (name, pinyin, initials, mobile)
    and purchases (serial number), each group in the reader's scope, contact data masked."""
    q = request.GET.get("q", "").strip()
    found = selectors.find_everything(request.user, q)
    customers = [(c, customer_selectors.shown(request.user, c)) for c in found["customers"]]
    purchases = [
        (p, customer_selectors.shown(request.user, p.customer)) for p in found["purchases"]
    ]
    return render(
        request,
        "desk/search.html",
        {
            "q": q,
            "tickets": found["tickets"],
            "ticket_count": found["ticket_count"],
            "customers": customers,
            "purchases": purchases,
            "queue_query": urlencode({"q": found["number"] or q}),
            "by_number": bool(found["number"]),
        },
    )


@staff_required
def ticket_detail(request, pk):
    ticket = selectors.get_ticket(request.user, pk)
    return render(request, "desk/ticket.html", ticket_context(request, ticket))


@require_GET
@staff_required
def ticket_timeline(request, pk):
    """Older events of the ticket's timeline (``?before=<event id>``), as the page's
    "earlier entries" button loads them."""
    ticket = selectors.get_ticket(request.user, pk)
    before = request.GET.get("before", "")
    if not before.isdigit():
        return HttpResponse(_("Which entries to show is missing."), status=400)
    return render(request, "desk/_timeline.html", timeline_context(ticket, before=int(before)))


@require_GET
@staff_required
def ticket_panels(request, pk):
    """The ticket page's panels, loaded by the page after it arrives (they show no tags)."""
    ticket = selectors.get_ticket(request.user, pk, with_tags=False)
    return render(request, "desk/_panels.html", panels_context(request, ticket))


@require_POST
@staff_required
def ticket_reply(request, pk):
    public = request.POST.get("public", "1") == "1"
    # "Send anyway" despite a forbidden phrase; the quality app decides whether the role may.
    override = request.POST.get("override") == "1"

    macro_id = request.POST.get("macro_id", "")

    def action(ticket):
        with transaction.atomic():
            body, after = request.POST.get("body", ""), None
            if macro_id.isdigit():
                # The agent picked a macro: its actions (status, tags, assignee) follow the reply.
                body, after = knowledge_services.prepare_reply(
                    request.user, ticket, int(macro_id), body
                )
            event = services.add_reply(
                actor=request.user,
                ticket=ticket,
                body=body,
                public=public,
                expected_version=posted_version(request),
                override=override,
            )
            if after is not None:
                after(event)
        messages.success(
            request, _("Reply sent to the customer.") if public else _("Internal note added.")
        )
        if event.warnings:
            messages.info(
                request,
                _("Service-language suggestions for next time: %(items)s")
                % {
                    "items": "；".join(
                        list(dict.fromkeys(w["explanation"] for w in event.warnings))[:3]
                    )
                },
            )

    return run_action(request, pk, action)


@require_POST
@staff_required
def ticket_status(request, pk):
    def action(ticket):
        services.change_status(
            actor=request.user,
            ticket=ticket,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            expected_version=posted_version(request),
        )
        messages.success(request, _("Status changed."))

    return run_action(request, pk, action)


@require_POST
@staff_required
def ticket_assign(request, pk):
    def action(ticket):
        services.assign(
            actor=request.user,
            ticket=ticket,
            assignee=request.POST.get("assignee") or None,
            expected_version=posted_version(request),
        )
        messages.success(request, _("Assignment changed."))

    return run_action(request, pk, action)


@require_POST
@staff_required
def ticket_escalate(request, pk):
    def action(ticket):
        services.escalate(
            actor=request.user,
            ticket=ticket,
            reason=request.POST.get("reason", ""),
            expected_version=posted_version(request),
        )
        messages.success(request, _("Escalated one rung up the ladder."))

    return run_action(request, pk, action)


@require_POST
@staff_required
def ticket_attach(request, pk):
    def action(ticket):
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("Choose a file to attach."), field="file")
        services.add_attachment(
            actor=request.user,
            ticket=ticket,
            name=upload.name,
            data=services.read_upload(upload),
            public="public" in request.POST,
        )
        messages.success(request, _("File attached."))

    return run_action(request, pk, action)


@require_POST
@staff_required
def ticket_presence(request, pk):
    """The ticket page's heartbeat: say who else has this ticket open, and who is typing."""
    version = selectors.ticket_version(request.user, pk)
    staff = staff_of(request.user)
    if request.POST.get("leave") == "1":
        presence.leave(pk, request.user.pk)
        return HttpResponse(status=204)
    others = presence.report(
        pk,
        request.user.pk,
        staff.display_name if staff else request.user.get_username(),
        typing=request.POST.get("typing") == "1",
    )
    stale = request.POST.get("version", "").isdigit() and int(request.POST["version"]) != version
    return render(
        request, "desk/_presence.html", {"others": others, "stale": stale, "ticket_id": pk}
    )


@require_POST
@staff_required
def ticket_details(request, pk):
    """Priority, type and tags from the ticket page's toolbar."""
    form = request.POST

    def action(ticket):
        tags = [t.strip() for t in form.get("tags", "").replace("，", ",").split(",") if t.strip()]
        services.update_details(
            actor=request.user,
            ticket=ticket,
            expected_version=posted_version(request),
            priority=form.get("priority") or None,
            type=form.get("type") or None,
            tags=tags,
        )
        messages.success(request, _("Details changed."))

    return run_action(request, pk, action)


@require_POST
@staff_required
def ticket_purchase(request, pk):
    """Link the ticket to one of the customer's purchases (or unlink it: empty purchase_id)."""
    purchase_id = request.POST.get("purchase_id", "")

    def action(ticket):
        services.link_purchase(
            actor=request.user,
            ticket=ticket,
            purchase_id=int(purchase_id) if purchase_id.isdigit() else None,
            expected_version=posted_version(request),
        )
        messages.success(request, _("Purchase linked to the ticket."))

    return run_action(request, pk, action)


@staff_required
def ticket_purchase_new(request, pk):
    """Record a purchase for the ticket's customer and link it (GET: the form, loaded when the
    agent opens it, so the ticket page does not pay for the category list)."""
    if request.method != "POST":
        ticket = selectors.get_ticket(request.user, pk)
        return render(
            request,
            "desk/_purchase_form.html",
            {
                "ticket": ticket,
                "categories": ProductCategory.objects.order_by("name"),
                "stores": stores_for(request.user),
                "today": timezone.localdate(),
            },
        )
    form = request.POST

    def action(ticket):
        try:
            sale_date = datetime.date.fromisoformat(form.get("sale_date", ""))
        except ValueError:
            raise InvalidInput(_("Enter the sale date."), field="sale_date") from None
        with transaction.atomic():  # no purchase left behind when the link is refused
            purchase = record_purchase(
                actor=request.user,
                customer=ticket.customer,
                category=form.get("category", ""),
                model_name=form.get("model_name", ""),
                sale_date=sale_date,
                price=form.get("price", ""),
                store=form.get("store") or None,
                serial=form.get("serial", ""),
                invoice_number=form.get("invoice_number", ""),
            )
            services.link_purchase(
                actor=request.user,
                ticket=ticket,
                purchase_id=purchase.pk,
                expected_version=posted_version(request),
            )
        messages.success(request, _("Purchase recorded and linked to the ticket."))

    return run_action(request, pk, action)


@staff_required
def attachment(request, pk):
    found = Attachment.objects.filter(
        pk=pk, ticket__in=selectors.tickets_visible_to(request.user).values("pk")
    ).first()
    if found is None:
        raise NotFound()
    return attachment_response(found)


@staff_required
def ticket_new(request):
    stores = stores_for(request.user)
    form = request.POST if request.method == "POST" else {}
    # A fresh key per blank form: a double-clicked submit opens one ticket, not two.
    context = {
        "stores": stores,
        "types": TicketType.choices,
        "channels": Channel.choices,
        "priorities": Priority.choices,
        "genders": Gender.choices,
        "form": form,
        "form_key": form.get("form_key") or secrets.token_hex(8),
    }
    if request.method == "POST":
        try:
            with transaction.atomic():
                store = stores.filter(code=form.get("store", "")).first()
                customer = find_or_create_customer(
                    actor=request.user,
                    name=form.get("name", ""),
                    phone=form.get("phone", ""),
                    email=form.get("email", ""),
                    address=form.get("address", ""),
                    gender=form.get("gender") or None,
                    store=store,
                    field_prefix="",
                )
                ticket, _created = services.open_ticket(
                    actor=request.user,
                    type=form.get("type", ""),
                    channel=form.get("channel", ""),
                    subject=form.get("subject", ""),
                    description=form.get("description", ""),
                    store=form.get("store", ""),
                    priority=form.get("priority", "normal"),
                    customer=customer,
                    idempotency_key=form.get("form_key"),
                )
        except KefuError as exc:
            return render(
                request,
                "desk/ticket_new.html",
                {**context, "error": exc.text(), "error_field": exc.field},
                status=exc.status,
            )
        messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
        return redirect("desk:ticket", pk=ticket.pk)
    return render(request, "desk/ticket_new.html", context)


@staff_required
def customers(request):
    q = request.GET.get("q", "")
    found = customer_selectors.search_customers(request.user, q)
    page = Paginator(customer_selectors.with_disclosure(request.user, found), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(c, customer_selectors.shown(request.user, c)) for c in page.object_list]
    return render(request, "desk/customers.html", {"page": page, "rows": rows, "q": q})


@staff_required
def customer_detail(request, pk):
    customer = customer_selectors.get_customer(request.user, pk)
    contact = customer_selectors.contact_for(
        request.user, customer, context=f"desk:customer:{customer.id}"
    )
    return render(
        request,
        "desk/customer.html",
        {
            "customer": customer,
            "contact": contact,
            "purchases": customer_selectors.purchases_of(request.user, customer)[:50],
            "tickets": selectors.customer_history(request.user, customer.id, limit=50, stores=True),
            "can_export": can(request.user, "customers.export"),
            "can_erase": can(request.user, "customers.erase") and customer.erased_at is None,
            "may_correct_address": can(request.user, "customers.manage"),
        },
    )


@staff_required
def customer_export(request, pk):
    """Everything held about a customer, readable (PIPL export); ?format=json downloads it."""
    customer = customer_selectors.get_customer(request.user, pk)
    try:
        data = datarights.export_customer(actor=request.user, customer=customer)
    except KefuError as exc:
        return HttpResponse(exc.text(), status=exc.status, content_type="text/plain")
    if request.GET.get("format") == "json":
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
        return response
    return render(request, "desk/customer_export.html", {"customer": customer, "data": data})


def _erase_word(customer) -> str:
    """What the agent types to confirm an erasure: the mobile's last four digits (or 删除)."""
    return customer.phone[-4:] if customer.phone else "删除"


@staff_required
def customer_erase(request, pk):
    """Erase (anonymise) a customer on their request (PIPL): irreversible, so the agent types
    the mobile's last four digits and a reason; the same service as the API, audited."""
    customer = customer_selectors.get_customer(request.user, pk)
    if not can(request.user, "customers.erase"):
        return HttpResponse(_("Your role may not erase a customer's data."), status=403)
    context = {"customer": customer, "needs_word": not customer.phone, "error": None}
    if request.method == "POST" and customer.erased_at is None:
        typed = (request.POST.get("confirm_tail") or "").strip()
        reason = request.POST.get("reason", "")
        context.update(reason=reason)
        if typed != _erase_word(customer):
            context["error"] = _(
                "The confirmation does not match: type the last four digits of the "
                "customer's mobile."
            )
        else:
            try:
                datarights.erase_customer(
                    actor=request.user, customer=customer, confirm=True, reason=reason
                )
            except KefuError as exc:
                context["error"] = exc.text()
            else:
                messages.success(request, _("The customer's personal data was erased."))
                return redirect("desk:customer", pk=customer.pk)
        return render(request, "desk/customer_erase.html", context, status=422)
    return render(request, "desk/customer_erase.html", context)


@staff_required
@require_POST
def customer_form_of_address(request, pk):
    """An agent corrects how the customer is addressed (empty: back to the computed form)."""
    customer = customer_selectors.get_customer(request.user, pk)
    try:
        set_form_of_address(
            actor=request.user, customer=customer, address_as=request.POST.get("address_as", "")
        )
    except KefuError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(
            request,
            _("From now on this customer is addressed as %(form)s.") % {"form": customer.honorific},
        )
    return redirect("desk:customer", pk=customer.pk)


@staff_required
@require_POST
def customer_requirements(request, pk):
    """Note the customer's requirements and special requests (shown on their tickets)."""
    customer = customer_selectors.get_customer(request.user, pk)
    try:
        set_special_requirements(
            actor=request.user,
            customer=customer,
            text=request.POST.get("special_requirements", ""),
        )
    except KefuError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, _("Special requirements saved."))
    return redirect("desk:customer", pk=customer.pk)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
