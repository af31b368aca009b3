"""Desk pages for after-sales: the 三包 calculator, the ticket panel (decision, one-step order,
dispatch), and technicians' visits. Views parse the form, call selectors and services, render."""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from kefu.catalog.models import ProductCategory
from kefu.customers.selectors import reveal_contact
from kefu.errors import InvalidInput, KefuError, NotFound
from kefu.org.selectors import can
from kefu.tickets.selectors import get_ticket
from kefu.web.ticket_page import run_action, staff_required

from . import fees, forms, outlets, payments, selectors, services, stock
from .labels import REMEDY_LABELS
from .models import (
    FeeQuote,
    OrderStatus,
    Part,
    PaymentMethod,
    QuoteStatus,
    RepairOutcome,
    VisitKind,
    VisitOutcome,
    VisitStatus,
    VisitWindow,
    Warehouse,
)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _decision_context(decision) -> dict:
    """The decision as the templates show it: the API dict plus labels."""
    if decision is None:
        return {}
    data = decision.to_dict()
    data["remedy_labels"] = [(r, REMEDY_LABELS[r]) for r in decision.remedies]
    data["recommended_label"] = (
        REMEDY_LABELS.get(decision.recommended, "") if decision.recommended else ""
    )
    data["two_failed_repairs"] = "R-2REPAIR" in decision.rule_ids
    return data


# --------------------------------------------------------------------------- calculator


@staff_required
def calculator(request):
    """三包 calculator for calls without a purchase on file: the same facts as the API."""
    data = request.POST if request.method == "POST" else request.GET
    decision = error = error_field = None
    if forms.submitted(data):
        case = forms.case_from_form(data)
        try:
            _case, decision = selectors.decide(case)
        except KefuError as exc:
            error, error_field = exc.text(), exc.field
    else:
        case = {"request_date": timezone.localdate().isoformat()}
    context = {
        "fields": forms.case_fields(case),
        "decision": _decision_context(decision),
        "error": error,
        "error_field": error_field,
    }
    if _is_htmx(request):
        # htmx swaps only 2xx answers: the refusal travels inside the fragment.
        return render(request, "aftersales/_calculator_result.html", context)
    return render(request, "aftersales/calculator.html", context, status=422 if error else 200)


# --------------------------------------------------------------------------- ticket panel


def ticket_panel(request, ticket) -> dict:
    """The ticket page's after-sales panel (kefu.web.ticket_page.register_panel): the case from
    the purchase on file with the agent's adjustments, the decision, orders and visits."""
    if ticket.type not in selectors.FIELD_SERVICE_TICKET_TYPES:
        return {"show": False}  # no section at all, as the complaint guide outside complaints
    purchase = selectors.purchase_for(ticket, request.user)
    prefill = selectors.prefill_case(ticket, purchase, reader=request.user)
    data = (
        request.POST if request.method == "POST" and forms.submitted(request.POST) else request.GET
    )
    locked = forms.PURCHASE_FACTS if purchase else ()
    orders = selectors.ticket_orders(ticket.id)
    if forms.submitted(data):
        case = {**prefill, **forms.adjustments(data, locked=locked)}
    else:
        # The facts the agent typed for the last order (the fault, the wish…) stay in the form:
        # what the records tell (the purchase, days in repair) is read afresh.
        typed = orders[-1].case if orders else {}
        case = {**typed, **prefill} if purchase else {**prefill, **typed}
    decision = error = None
    decides = ticket.type in selectors.DECISION_TICKET_TYPES
    if decides and (purchase or forms.submitted(data) or orders):
        try:
            _case, decision = selectors.decide(case)
        except KefuError as exc:
            error = exc.text()
    decided = _decision_context(decision)
    orderable = [
        (r, label)
        for r, label in decided.get("remedy_labels", ())
        if r in services.ORDER_KIND_OF_REMEDY
    ]
    labels = dict(OrderStatus.choices)
    return {
        "show": True,
        "ticket": ticket,
        "purchase": purchase,
        "decides": decides,
        "fields": forms.case_fields(case, locked=locked),
        "decision": decided,
        "error": error,
        "orderable": orderable,
        "hints": selectors.purchase_hints(purchase),
        "orders": [
            {
                "order": o,
                "next": [(s, labels[s]) for s in o.next_statuses()],
                "finishes_repair": o.kind == "repair" and OrderStatus.DONE in o.next_statuses(),
            }
            for o in orders
        ],
        "repair_orders": [
            o
            for o in orders
            if o.kind == "repair" and o.status in (OrderStatus.APPROVED, OrderStatus.IN_PROGRESS)
        ],
        "visits": selectors.ticket_visits(ticket.id),
        "technicians": (
            selectors.serving_technicians(purchase.category, ticket.store)
            if purchase
            else list(selectors.active_technicians())
        ),
        "categories": () if purchase else ProductCategory.objects.all(),
        "windows": VisitWindow.choices,
        "visit_kinds": VisitKind.choices,
        "default_visit_kind": VisitKind.INSTALLATION
        if ticket.type == "installation"
        else VisitKind.REPAIR,
        "outcomes": RepairOutcome.choices,
        "can_order": can(request.user, "tickets.status"),
        "can_dispatch": can(request.user, "tickets.assign"),
        "today": timezone.localdate(),
    }


@staff_required
def ticket_panel_fragment(request, pk):
    """The panel alone, for htmx when the agent changes a fact."""
    ticket = get_ticket(request.user, pk)
    return render(
        request, "aftersales/_ticket_panel.html", {"panel": ticket_panel(request, ticket)}
    )


@require_POST
@staff_required
def create_order(request, pk):
    """One step from the decision shown to an order: the facts travel with the form."""

    def action(ticket):
        purchase = selectors.purchase_for(ticket, request.user)
        case = forms.adjustments(request.POST, locked=forms.PURCHASE_FACTS if purchase else ())
        order = services.create_order(
            actor=request.user,
            ticket=ticket,
            remedy=request.POST.get("remedy", ""),
            case=case,
            symptom=request.POST.get("symptom", ""),
            note=request.POST.get("note", ""),
            fee=request.POST.get("fee") or None,
        )
        messages.success(request, _("Order %(number)s created.") % {"number": order.number})

    return run_action(request, pk, action)


@require_POST
@staff_required
def order_status(request, pk):
    order = selectors.get_order(request.user, pk)

    def action(ticket):
        services.change_order_status(
            actor=request.user,
            order=order,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            outcome=request.POST.get("outcome") or None,
            repair_days=request.POST.get("repair_days") or None,
            parts_wait_days=request.POST.get("parts_wait_days") or None,
            fee=request.POST.get("fee") or None,
        )
        messages.success(request, _("Order %(number)s updated.") % {"number": order.number})

    return run_action(request, order.ticket_id, action)


@require_POST
@staff_required
def dispatch(request, pk):
    def action(ticket):
        visit = services.dispatch_visit(
            actor=request.user,
            ticket=ticket,
            kind=request.POST.get("kind", ""),
            date=request.POST.get("date", ""),
            window=request.POST.get("window", ""),
            technician=request.POST.get("technician", ""),
            order_id=request.POST.get("order_id") or None,
            category=request.POST.get("category") or None,
            symptom=request.POST.get("symptom", ""),
        )
        messages.success(
            request, _("Technician booked for %(date)s.") % {"date": visit.date.isoformat()}
        )

    return run_action(request, pk, action)


# --------------------------------------------------------------------------- visits


@staff_required
def visits(request):
    """A technician's own visits (a dispatcher sees every visit in scope), soonest first."""
    show = request.GET.get("show", "upcoming")
    if show == "done":
        rows = selectors.my_visits(request.user, status=(VisitStatus.DONE,)).reverse()
    else:
        rows = selectors.my_visits(
            request.user, start=timezone.localdate() - datetime.timedelta(days=1)
        )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request, "aftersales/visits.html", {"page": page, "show": show, "query": f"show={show}"}
    )


def _visit_page(request, visit, *, error=None, status=200):

    technicians = selectors.technicians_for(visit.category, visit.ticket.store)
    # The technician needs the address and phone to go there; every view is recorded.
    contact = reveal_contact(request.user, visit.ticket.customer, context=f"desk:visit:{visit.pk}")
    return render(
        request,
        "aftersales/visit.html",
        {
            "visit": visit,
            "contact": contact,
            "error": error,
            "outcomes": VisitOutcome.choices,
            "windows": VisitWindow.choices,
            "technicians": technicians,
            "form": request.POST if request.method == "POST" else {},
            "log": visit.reschedule_log.select_related("previous_technician", "technician"),
            "can_dispatch": can(request.user, "tickets.assign"),
            **_fees_context(request, visit),
        },
        status=status,
    )


# The fee schedule's job types, by their Chinese names (data/fees.v1.json "jobs").
JOB_LABELS = {
    "repair": _lazy("Repair"),
    "main_part_repair": _lazy("Main-part repair"),
    "installation": _lazy("Installation"),
    "inspection": _lazy("Inspection"),
}


def _fees_context(request, visit) -> dict:
    """The visit page's parts-and-fees card: parts of the visit's category to take from stock,
    the visit's quotes (with the customer's answer) and the payments against them."""
    if not can(request.user, "aftersales.payments"):
        return {"may_fees": False}
    quotes = list(FeeQuote.objects.filter(visit=visit).order_by("-id").prefetch_related("payments"))
    return {
        "may_fees": True,
        "may_use_parts": visit.technician.user_id == request.user.pk
        or can(request.user, "tickets.assign"),
        "visit_parts": Part.objects.filter(
            product_model__category_id=visit.category_id, is_active=True
        ).order_by("code")[:200],
        "quotes": quotes,
        "open_quote": next((q for q in quotes if q.status == QuoteStatus.PROPOSED), None),
        "jobs": [(j, JOB_LABELS.get(j, j)) for j in fees.schedule()["jobs"]],
        "methods": PaymentMethod.choices,
    }


def _visit_quote(visit, quote_id) -> FeeQuote:
    quote = (
        FeeQuote.objects.filter(pk=quote_id, visit=visit).first()
        if str(quote_id).isdigit()
        else None
    )
    if quote is None:
        raise NotFound()
    return quote


@require_POST
@staff_required
def visit_fees(request, pk):
    """Parts used from stock, the quote from the fee schedule, the customer's answer on the
    visit, and the payment (one action per post, each its own service call)."""
    visit = selectors.get_visit(request.user, pk)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "use_part":
            part = (
                Part.objects.filter(pk=post.get("part"), is_active=True).first()
                if (post.get("part", "").isdigit())
                else None
            )
            if part is None:
                raise InvalidInput(_lazy("%(field)s: choose a part."), field="part")
            stock.consume_parts(
                actor=request.user, visit=visit, part=part, quantity=post.get("quantity", "1")
            )
            message = _("Part taken from stock for this visit.")
        elif action == "quote":
            if not can(request.user, "aftersales.payments"):
                raise NotFound()
            distance = post.get("distance_km", "0").strip() or "0"
            if not distance.isdigit() or int(distance) > 2000:
                raise InvalidInput(
                    _lazy("%(field)s: whole kilometres, 0–2000."), field="distance_km"
                )
            parts = [
                {"part": p["code"], "quantity": int(p["quantity"])}
                for p in visit.parts_used
                if p.get("code")
            ]
            payments.propose_quote(
                actor=request.user,
                ticket=visit.ticket,
                job=post.get("job", ""),
                distance_km=int(distance),
                parts=parts,
                visit=visit,
            )
            message = _("Quote computed from the fee schedule and shown to the customer.")
        elif action in ("accept", "decline"):
            payments.decide_quote(
                actor=request.user,
                quote=_visit_quote(visit, post.get("quote")),
                accept=action == "accept",
                via="visit",
                accepted_by=post.get("accepted_by", ""),
            )
            message = _("The customer's answer is recorded.")
        elif action == "pay":
            quote = _visit_quote(visit, post.get("quote"))
            payments.record_payment(
                actor=request.user,
                ticket=visit.ticket,
                kind="payment",
                method=post.get("method", ""),
                amount=quote.total,
                receipt_number=post.get("receipt_number", ""),
                quote=quote,
            )
            message = _("Payment recorded.")
        else:
            raise NotFound()
    except NotFound:
        raise
    except KefuError as exc:
        return _visit_page(request, visit, error=exc.text(), status=exc.status)
    messages.success(request, message)
    return redirect("aftersales:visit", pk=pk)


@staff_required
def visit_detail(request, pk):
    """The visit record form (上门服务记录)."""
    visit = selectors.get_visit(request.user, pk)
    if request.method == "POST":
        parts = request.POST.get("parts_used", "")
        try:
            services.record_visit(
                actor=request.user,
                visit=visit,
                outcome=request.POST.get("outcome", ""),
                diagnosis=request.POST.get("diagnosis", ""),
                arrived_at=request.POST.get("arrived_at") or None,
                parts_used=parts,
                fee=request.POST.get("fee") or "0",
                customer_confirmed=request.POST.get("customer_confirmed") in ("1", "on"),
                confirmed_by=request.POST.get("confirmed_by", ""),
            )
        except KefuError as exc:
            return _visit_page(request, visit, error=exc.text(), status=exc.status)
        messages.success(request, _("Visit recorded."))
        return redirect("aftersales:visits")
    return _visit_page(request, visit)


@require_POST
@staff_required
def visit_reschedule(request, pk):
    visit = selectors.get_visit(request.user, pk)
    try:
        services.reschedule_visit(
            actor=request.user,
            visit=visit,
            date=request.POST.get("date", ""),
            window=request.POST.get("window", ""),
            reason=request.POST.get("reason", ""),
            technician=request.POST.get("technician") or None,
        )
    except KefuError as exc:
        return _visit_page(request, visit, error=exc.text(), status=exc.status)
    messages.success(request, _("Visit moved."))
    return redirect("aftersales:visit", pk=pk)


@require_POST
@staff_required
def visit_cancel(request, pk):
    visit = selectors.get_visit(request.user, pk)
    try:
        services.cancel_visit(
            actor=request.user, visit=visit, reason=request.POST.get("reason", "")
        )
    except KefuError as exc:
        return _visit_page(request, visit, error=exc.text(), status=exc.status)
    messages.success(request, _("Visit cancelled."))
    return redirect("aftersales:visits")


# --------------------------------------------------------------------------- spare parts


def _parts_page(request, *, error=None, status=200):
    model = (request.GET.get("model") or "").strip()[:60]
    parts = selectors.parts_catalogue(request.user, model=model or None).annotate(
        in_stock=Coalesce(Sum("stock__quantity"), 0)
    )
    page = Paginator(parts, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "aftersales/parts.html",
        {
            "page": page,
            "model": model,
            "query": f"model={model}" if model else "",
            "warehouses": selectors.warehouses_for(request.user),
            "all_warehouses": Warehouse.objects.order_by("kind", "code"),
            "requests": selectors.open_part_requests(request.user)[:50],
            "moves": selectors.recent_moves(15),
            "may_move": can(request.user, "aftersales.stock"),
            "error": error,
            "form": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@staff_required
def parts(request):
    """The parts catalogue with stock per warehouse, open part requests and recent movements;
    those with the right receive and transfer parts here."""
    if not can(request.user, "aftersales.parts"):
        raise Http404
    return _parts_page(request)


def _warehouse(request, field: str):
    code = request.POST.get(field, "")
    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise InvalidInput(_("%(field)s: unknown warehouse."), field=field)
    return warehouse


@staff_required
@require_POST
def parts_move(request):
    """Receive parts into a warehouse, or transfer them between two (one form, two buttons)."""
    if not can(request.user, "aftersales.parts"):
        raise Http404
    try:
        part = selectors.get_part(request.user, request.POST.get("part") or 0)
        if request.POST.get("action") == "transfer":
            stock.transfer_parts(
                actor=request.user,
                part=part,
                source=_warehouse(request, "source"),
                target=_warehouse(request, "target"),
                quantity=request.POST.get("quantity", ""),
                override=bool(request.POST.get("override")),
                note=request.POST.get("note", ""),
            )
        else:
            stock.receive_parts(
                actor=request.user,
                warehouse=_warehouse(request, "target"),
                part=part,
                quantity=request.POST.get("quantity", ""),
                note=request.POST.get("note", ""),
            )
    except KefuError as exc:
        return _parts_page(request, error=exc.text(), status=exc.status)
    messages.success(request, _("Stock updated."))
    return redirect("aftersales:parts")


@staff_required
@require_POST
def part_request_receive(request, pk):
    """The awaited part arrived: its days go to the purchase's 三包 record."""
    row = selectors.open_part_requests(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    try:
        stock.receive_requested_part(actor=request.user, request=row)
    except KefuError as exc:
        return _parts_page(request, error=exc.text(), status=exc.status)
    messages.success(request, _("Part received; the days waited count towards 三包."))
    return redirect("aftersales:parts")


@staff_required
def warranty(request):
    """The electronic warranty card at the desk: look up a serial number within scope."""
    if not can(request.user, "aftersales.warranty"):
        raise Http404
    serial = (request.GET.get("serial") or "").strip()[:60]
    card, error = None, None
    if serial:
        try:
            card = selectors.warranty_card(selectors.purchase_by_serial(request.user, serial))
        except NotFound:
            error = _("No purchase with this serial number in your scope.")
    return render(
        request,
        "aftersales/warranty.html",
        {"serial": serial, "card": card, "error": error},
        status=404 if error else 200,
    )


# --------------------------------------------------------------------------- outlets and claims


def _outlet_jobs_page(request, *, error=None, status=200):
    if not can(request.user, "aftersales.outlet_jobs"):
        raise Http404
    jobs = selectors.outlet_jobs_visible_to(request.user).order_by("-id")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    outlet = selectors.outlet_of(request.user)
    return render(
        request,
        "aftersales/outlet_jobs.html",
        {
            "page": page,
            "outlet": outlet,
            "may_assign": can(request.user, "aftersales.outlet_assign") and outlet is not None,
            "technicians": selectors.outlet_technicians(outlet) if outlet else [],
            "windows": VisitWindow.choices,
            "tomorrow": timezone.localdate() + datetime.timedelta(days=1),
            "error": error,
        },
        status=status,
    )


@staff_required
def outlet_jobs(request):
    """Jobs sent to service outlets; an outlet's people see only their outlet's, and its
    manager books the outlet's technicians here."""
    return _outlet_jobs_page(request)


@staff_required
@require_POST
def outlet_job_assign(request, pk):
    job = selectors.get_outlet_job(request.user, pk)
    try:
        outlets.assign_outlet_job(
            actor=request.user,
            job=job,
            technician=request.POST.get("technician", ""),
            date=request.POST.get("date", ""),
            window=request.POST.get("window", ""),
        )
    except KefuError as exc:
        return _outlet_jobs_page(request, error=exc.text(), status=exc.status)
    messages.success(request, _("Technician booked."))
    return redirect("aftersales:outlet_jobs")


def _month(request) -> str:
    month = (request.GET.get("month") or "").strip()
    if len(month) == 7 and month[4] == "-" and month[:4].isdigit() and month[5:].isdigit():
        return month
    return timezone.localdate().strftime("%Y-%m")


@staff_required
def claims(request):
    """The month's warranty claims to manufacturers, with the statement export."""
    if not can(request.user, "aftersales.claims"):
        raise Http404
    month = _month(request)
    rows = selectors.monthly_statement(request.user, month)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "aftersales/claims.html",
        {"page": page, "month": month, "query": f"month={month}"},
    )


@staff_required
def claims_statement(request):
    """The monthly statement per manufacturer as CSV (UTF-8 with BOM, so Excel opens it)."""
    if not can(request.user, "aftersales.claims"):
        raise Http404
    month = _month(request)
    brand = (request.GET.get("brand") or "").strip()[:50] or None
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="warranty-claims-{month}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Claim"),
            _("Manufacturer"),
            _("Ticket"),
            _("Repair date"),
            _("Category"),
            _("Labour"),
            _("Parts"),
            _("Total amount"),
            _("Status"),
        ]
    )
    total = 0
    for c in selectors.monthly_statement(request.user, month, brand).iterator():
        total += c.total
        writer.writerow(
            [
                c.number,
                c.brand,
                c.ticket.number,
                c.visit.date.isoformat(),
                c.visit.category.name,
                f"{c.labour:.2f}",
                f"{c.parts:.2f}",
                f"{c.total:.2f}",
                c.get_status_display(),
            ]
        )
    writer.writerow(["", "", "", "", "", "", _("Total amount"), f"{total:.2f}", ""])
    return response
