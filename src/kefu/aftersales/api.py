"""After-sales endpoints: the 三包 decision, orders that carry it out, and field visits.
Handlers parse, call a selector or service, and shape the answer."""

from __future__ import annotations

import datetime
import json
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja import Status as WithStatus

from kefu.api.schema import ERRORS, Strict
from kefu.catalog.models import ProductCategory
from kefu.errors import InvalidInput, NotFound
from kefu.org.selectors import can, staff_of
from kefu.tickets.selectors import get_ticket

from . import fees, outlets, payments, policy, selectors, services, stock
from .models import OrderStatus, RepairOutcome, ServiceOutlet, VisitKind, VisitOutcome, VisitWindow

# Mounted at the root: the after-sales routes sit under /aftersales/, the parts catalogue
# under /parts and the warranty card under /warranty (the interfaces the issue names).
API_PREFIX = ""
API_TAGS = ["aftersales"]
router = Router()


class CaseIn(Strict):
    """The facts of a case (documentation of the body; the engine itself validates it, so that
    refusals name the field in the engine's words)."""

    category: Literal[policy.CATEGORIES] = Field(description="三包 category")  # type: ignore[valid-type]
    price: str = Field(description='invoice price in yuan, e.g. "3999.00"')
    sale_date: datetime.date
    request_date: datetime.date
    has_invoice: bool = True
    has_warranty_card: bool = True
    production_date: datetime.date | None = None
    channel: Literal[policy.CHANNELS] = "store"  # type: ignore[valid-type]
    receipt_date: datetime.date | None = None
    fault: Literal[policy.FAULTS] = "performance"  # type: ignore[valid-type]
    part: str | None = Field(
        None, description='"main_part", or an accessory of the category such as "battery"'
    )
    failed_repairs: int = 0
    repair_days: int = 0
    parts_wait_days: int = 0
    same_model_available: bool = True
    wish: Literal[policy.WISHES] = "none"  # type: ignore[valid-type]
    sample_unit_disclosed_defect: bool = False
    goods_intact: bool = True
    discontinued_date: datetime.date | None = None
    parts_available: bool = True
    above_guide_price: bool = False
    authorised_dealer: bool = True
    reason: Literal[policy.REASONS] | None = None  # type: ignore[valid-type]
    customer_honorific: str | None = None
    repairer_delay_days: int = 0


class RuleOut(Schema):
    id: str
    title: str = Field(description="the rule's name in Chinese, e.g. 15日换修")
    reason: str


class WarrantyOut(Schema):
    start: datetime.date | None
    end: datetime.date | None
    main_parts_end: datetime.date | None


class DecisionOut(Schema):
    remedies: list[str]
    recommended: str | None
    free: bool
    depreciation_fee: str
    refund: str | None
    warranty: WarrantyOut
    rules: list[RuleOut]
    script: str


class TicketDecisionOut(Schema):
    case: dict[str, Any]
    purchase_id: int | None
    decision: DecisionOut


class OrderIn(Strict):
    remedy: Literal[tuple(services.ORDER_KIND_OF_REMEDY)]  # type: ignore[valid-type]
    case: dict[str, Any] | None = Field(
        None, description="facts laid over the ticket's purchase as on file"
    )
    symptom: str = Field("", max_length=100)
    note: str = Field("", max_length=2000)
    fee: str | None = Field(None, description="quoted charge of a paid repair, yuan")


class OrderStatusIn(Strict):
    status: Literal[tuple(OrderStatus.values)]  # type: ignore[valid-type]
    note: str = Field("", max_length=2000)
    outcome: Literal[tuple(RepairOutcome.values)] | None = None  # type: ignore[valid-type]
    repair_days: int | None = Field(None, ge=0, le=3650)
    parts_wait_days: int | None = Field(None, ge=0, le=3650)
    fee: str | None = None


class OrderOut(Schema):
    id: int
    number: str
    ticket_id: int
    purchase_id: int | None
    kind: str
    remedy: str
    status: str
    free: bool
    price: str
    refund: str | None
    depreciation_fee: str
    fee: str
    symptom: str
    outcome: str
    repair_days: int
    parts_wait_days: int
    exchanged_on: datetime.date | None
    new_warranty: WarrantyOut | None
    next_statuses: list[str]
    rules: list[str]
    created_by: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class VisitIn(Strict):
    kind: Literal[tuple(VisitKind.values)]  # type: ignore[valid-type]
    date: datetime.date
    window: Literal[tuple(VisitWindow.values)]  # type: ignore[valid-type]
    technician: str = Field(max_length=150, description="the technician's username")
    order_id: int | None = None
    category: str | None = Field(
        None, max_length=40, description="when the ticket has no purchase on file"
    )
    symptom: str = Field("", max_length=100)


class RescheduleIn(Strict):
    date: datetime.date
    window: Literal[tuple(VisitWindow.values)]  # type: ignore[valid-type]
    reason: str = Field(max_length=200)
    technician: str | None = Field(None, max_length=150)


class PartIn(Strict):
    name: str = Field(max_length=100)
    quantity: int = Field(1, ge=1, le=999)


class VisitRecordIn(Strict):
    outcome: Literal[tuple(VisitOutcome.values)]  # type: ignore[valid-type]
    arrived_at: datetime.datetime | None = None
    diagnosis: str = Field("", max_length=2000)
    parts_used: list[PartIn] = Field(default_factory=list, max_length=50)
    fee: str = "0.00"
    customer_confirmed: bool = False
    confirmed_by: str = Field("", max_length=50)


class CancelIn(Strict):
    reason: str = Field(max_length=200)


class VisitOut(Schema):
    id: int
    ticket_id: int
    order_id: int | None
    kind: str
    status: str
    category: str
    technician: str
    date: datetime.date
    window: str
    reschedules: int
    symptom: str
    arrived_at: datetime.datetime | None
    diagnosis: str
    parts_used: list[dict]
    fee: str
    outcome: str
    customer_confirmed: bool
    confirmed_by: str


class TechnicianOut(Schema):
    username: str
    name: str
    free_slots: list[dict]


def _decision_schema() -> dict:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CaseIn.model_json_schema()}},
        }
    }


def _json_body(request) -> Any:
    try:
        return json.loads(request.body or b"null")
    except RecursionError:  # e.g. 100,000 nested brackets: refused, not a 500
        raise InvalidInput(_("The request body is nested too deeply."), field="body") from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(_("The request body is not valid JSON."), field="body") from None


def order_out(order) -> dict:
    warranty = None
    if order.new_warranty_start:
        warranty = {
            "start": order.new_warranty_start,
            "end": order.new_warranty_end,
            "main_parts_end": order.new_main_parts_end,
        }
    creator = staff_of(order.created_by) if order.created_by_id else None
    return {
        "id": order.id,
        "number": order.number,
        "ticket_id": order.ticket_id,
        "purchase_id": order.purchase_id,
        "kind": order.kind,
        "remedy": order.remedy,
        "status": order.status,
        "free": order.free,
        "price": f"{order.price:.2f}",
        "refund": None if order.refund is None else f"{order.refund:.2f}",
        "depreciation_fee": f"{order.depreciation_fee:.2f}",
        "fee": f"{order.fee:.2f}",
        "symptom": order.symptom,
        "outcome": order.outcome,
        "repair_days": order.repair_days,
        "parts_wait_days": order.parts_wait_days,
        "exchanged_on": order.exchanged_on,
        "new_warranty": warranty,
        "next_statuses": order.next_statuses(),
        "rules": [r["id"] for r in order.decision.get("rules", [])],
        "created_by": creator.display_name if creator else None,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


def visit_out(visit) -> dict:
    return {
        "id": visit.id,
        "ticket_id": visit.ticket_id,
        "order_id": visit.order_id,
        "kind": visit.kind,
        "status": visit.status,
        "category": visit.category.code,
        "technician": visit.technician.display_name,
        "date": visit.date,
        "window": visit.window,
        "reschedules": visit.reschedules,
        "symptom": visit.symptom,
        "arrived_at": visit.arrived_at,
        "diagnosis": visit.diagnosis,
        "parts_used": visit.parts_used,
        "fee": f"{visit.fee:.2f}",
        "outcome": visit.outcome,
        "customer_confirmed": visit.customer_confirmed,
        "confirmed_by": visit.confirmed_by,
    }


# --------------------------------------------------------------------------- the decision


@router.post(
    "/aftersales/adjudicate",
    response={200: DecisionOut, **ERRORS},
    openapi_extra=_decision_schema(),
    summary="Decide a 三包 case (nothing is stored)",
)
def adjudicate(request):
    """The remedies the customer is entitled to, the one to offer first, any fee, the warranty
    dates, the rules that fired and a script, on the category's terms (company policy over the
    statutory floor). Bad input answers 422 naming the field, in zh-hans unless
    `Accept-Language: en`."""
    _case, decision = selectors.decide(_json_body(request))
    return decision.to_dict()


@router.get(
    "/aftersales/tickets/{int:ticket_id}/decision",
    response={200: TicketDecisionOut, **ERRORS},
    summary="The decision for a ticket's purchase as on file",
)
def ticket_decision(request, ticket_id: int):
    ticket = get_ticket(request.auth, ticket_id)
    purchase = selectors.purchase_for(ticket, request.auth)
    case = selectors.prefill_case(ticket, purchase, reader=request.auth)
    _case, decision = selectors.decide(case)
    return {
        "case": case,
        "purchase_id": purchase.pk if purchase else None,
        "decision": decision.to_dict(),
    }


# --------------------------------------------------------------------------- orders


@router.post(
    "/aftersales/tickets/{int:ticket_id}/orders",
    response={201: OrderOut, **ERRORS},
    summary="Create a return, exchange or repair order from the ticket's decision",
)
def create_order(request, ticket_id: int, payload: OrderIn):
    ticket = get_ticket(request.auth, ticket_id)
    order = services.create_order(
        actor=request.auth,
        ticket=ticket,
        remedy=payload.remedy,
        case=payload.case,
        symptom=payload.symptom,
        note=payload.note,
        fee=payload.fee,
    )
    return WithStatus(201, order_out(selectors.get_order(request.auth, order.pk)))


@router.get(
    "/aftersales/tickets/{int:ticket_id}/orders",
    response={200: list[OrderOut], **ERRORS},
    summary="A ticket's orders, newest first",
)
def list_orders(request, ticket_id: int):
    ticket = get_ticket(request.auth, ticket_id)
    return [order_out(o) for o in selectors.orders_for_ticket(ticket)[:100]]


@router.get(
    "/aftersales/orders/{int:order_id}", response={200: OrderOut, **ERRORS}, summary="An order"
)
def get_order(request, order_id: int):
    return order_out(selectors.get_order(request.auth, order_id))


@router.post(
    "/aftersales/orders/{int:order_id}/status",
    response={200: OrderOut, **ERRORS},
    summary="Move an order: requested → approved → in_progress → done, or cancelled",
)
def change_order_status(request, order_id: int, payload: OrderStatusIn):
    order = selectors.get_order(request.auth, order_id)
    services.change_order_status(
        actor=request.auth,
        order=order,
        status=payload.status,
        note=payload.note,
        outcome=payload.outcome,
        repair_days=payload.repair_days,
        parts_wait_days=payload.parts_wait_days,
        fee=payload.fee,
    )
    return order_out(selectors.get_order(request.auth, order_id))


# --------------------------------------------------------------------------- field service


@router.get(
    "/aftersales/tickets/{int:ticket_id}/technicians",
    response={200: list[TechnicianOut], **ERRORS},
    summary="Technicians who may take a visit for this ticket, with their free slots",
)
def eligible_technicians(
    request,
    ticket_id: int,
    category: str | None = Query(None, max_length=40),
    days: int = Query(7, ge=1, le=31),
):

    ticket = get_ticket(request.auth, ticket_id)
    purchase = selectors.purchase_for(ticket, request.auth)
    category_obj = (
        ProductCategory.objects.filter(code=category).first()
        if category
        else purchase.category
        if purchase
        else None
    )
    if category_obj is None:
        raise InvalidInput(
            _("%(field)s: name the product category (no purchase on file)."), field="category"
        )
    today = timezone.localdate()
    return [
        {
            "username": t.staff.user.username,
            "name": t.staff.display_name,
            "free_slots": [
                {"date": d, "window": w}
                for d, w in selectors.free_slots(t.staff, start=today, days=days)
            ],
        }
        for t in selectors.technicians_for(category_obj, ticket.store)[:50]
    ]


@router.post(
    "/aftersales/tickets/{int:ticket_id}/visits",
    response={201: VisitOut, **ERRORS},
    summary="Dispatch a technician for an on-site visit",
)
def dispatch_visit(request, ticket_id: int, payload: VisitIn):
    ticket = get_ticket(request.auth, ticket_id)
    visit = services.dispatch_visit(
        actor=request.auth,
        ticket=ticket,
        kind=payload.kind,
        date=payload.date,
        window=payload.window,
        technician=payload.technician,
        order_id=payload.order_id,
        category=payload.category,
        symptom=payload.symptom,
    )
    return WithStatus(201, visit_out(selectors.get_visit(request.auth, visit.pk)))


@router.get(
    "/aftersales/tickets/{int:ticket_id}/visits",
    response={200: list[VisitOut], **ERRORS},
    summary="A ticket's visits",
)
def list_visits(request, ticket_id: int):
    ticket = get_ticket(request.auth, ticket_id)
    return [visit_out(v) for v in selectors.visits_for_ticket(ticket)[:100]]


@router.get(
    "/aftersales/visits",
    response={200: list[VisitOut], **ERRORS},
    summary="My scheduled visits (a technician's own; a dispatcher's whole scope)",
)
def my_visits(
    request, limit: int = Query(50, ge=1, le=100), offset: int = Query(0, ge=0, le=100_000)
):
    visits = selectors.my_visits(request.auth, start=timezone.localdate())
    return [visit_out(v) for v in visits[offset : offset + limit]]


@router.post(
    "/aftersales/visits/{int:visit_id}/reschedule",
    response={200: VisitOut, **ERRORS},
    summary="Move a visit",
)
def reschedule_visit(request, visit_id: int, payload: RescheduleIn):
    visit = selectors.get_visit(request.auth, visit_id)
    services.reschedule_visit(
        actor=request.auth,
        visit=visit,
        date=payload.date,
        window=payload.window,
        reason=payload.reason,
        technician=payload.technician,
    )
    return visit_out(selectors.get_visit(request.auth, visit_id))


@router.post(
    "/aftersales/visits/{int:visit_id}/record",
    response={200: VisitOut, **ERRORS},
    summary="Record the visit: arrival, diagnosis, parts, fee, outcome, customer's confirmation",
)
def record_visit(request, visit_id: int, payload: VisitRecordIn):
    visit = selectors.get_visit(request.auth, visit_id)
    services.record_visit(
        actor=request.auth,
        visit=visit,
        outcome=payload.outcome,
        diagnosis=payload.diagnosis,
        arrived_at=payload.arrived_at,
        parts_used=[p.dict() for p in payload.parts_used],
        fee=payload.fee,
        customer_confirmed=payload.customer_confirmed,
        confirmed_by=payload.confirmed_by,
    )
    return visit_out(selectors.get_visit(request.auth, visit_id))


@router.post(
    "/aftersales/visits/{int:visit_id}/on-the-way",
    response={200: VisitOut, **ERRORS},
    summary="The technician sets off: the customer is told",
)
def visit_on_the_way(request, visit_id: int):
    visit = selectors.get_visit(request.auth, visit_id)
    services.technician_on_the_way(actor=request.auth, visit=visit)
    return visit_out(selectors.get_visit(request.auth, visit_id))


@router.post(
    "/aftersales/visits/{int:visit_id}/cancel",
    response={200: VisitOut, **ERRORS},
    summary="Cancel a visit",
)
def cancel_visit(request, visit_id: int, payload: CancelIn):
    visit = selectors.get_visit(request.auth, visit_id)
    services.cancel_visit(actor=request.auth, visit=visit, reason=payload.reason)
    return visit_out(selectors.get_visit(request.auth, visit_id))


# --------------------------------------------------------------------------- spare parts


class PartOut(Schema):
    id: int
    code: str
    name: str
    model: str
    category: str
    is_main_part: bool
    main_part: str
    price: str


class StockOut(Schema):
    warehouse: str
    warehouse_name: str
    kind: str
    outlet: str | None
    technician: str | None
    quantity: int


class PartStockOut(Schema):
    part: PartOut
    total: int
    stock: list[StockOut]


def part_out(part) -> dict:
    return {
        "id": part.pk,
        "code": part.code,
        "name": part.name,
        "model": part.product_model.code,
        "category": part.product_model.category.code,
        "is_main_part": part.is_main_part,
        "main_part": part.main_part,
        "price": f"{part.price:.2f}",
    }


@router.get(
    "/parts",
    response={200: list[PartOut], **ERRORS},
    tags=["parts"],
    summary="The parts catalogue, of one product model (?model=code)",
)
def list_parts(
    request,
    model: str | None = Query(None, max_length=60),
    limit: int = Query(100, ge=1, le=200),
    offset: int = Query(0, ge=0, le=100_000),
):
    parts = selectors.parts_catalogue(request.auth, model=model)
    return [part_out(p) for p in parts[offset : offset + limit]]


@router.get(
    "/parts/{int:part_id}/stock",
    response={200: PartStockOut, **ERRORS},
    tags=["parts"],
    summary="A part's stock per warehouse (CS department, outlets, vans)",
)
def part_stock(request, part_id: int):
    part = selectors.get_part(request.auth, part_id)
    rows = [
        {
            "warehouse": s.warehouse.code,
            "warehouse_name": s.warehouse.name,
            "kind": s.warehouse.kind,
            "outlet": s.warehouse.outlet.code if s.warehouse.outlet_id else None,
            "technician": s.warehouse.technician.display_name
            if s.warehouse.technician_id
            else None,
            "quantity": s.quantity,
        }
        for s in selectors.part_stock(part)
    ]
    return {"part": part_out(part), "total": sum(r["quantity"] for r in rows), "stock": rows}


class ConsumeIn(Strict):
    part: int = Field(..., ge=1, le=2_147_483_647)
    quantity: int = Field(1, ge=1, le=999)
    warehouse: str | None = Field(None, description="warehouse code; the technician's van if empty")
    override: bool = False
    note: str = ""


@router.post(
    "/aftersales/visits/{int:visit_id}/parts",
    response={201: dict, **ERRORS},
    tags=["parts"],
    summary="Parts used on a visit (stock goes down; refused when too few)",
)
def consume_parts(request, visit_id: int, payload: ConsumeIn):
    visit = selectors.get_visit(request.auth, visit_id)
    part = selectors.get_part(request.auth, payload.part)
    warehouse = None
    if payload.warehouse:
        warehouse = selectors.warehouses_for(request.auth).filter(code=payload.warehouse).first()
        if warehouse is None:
            raise InvalidInput(_("%(field)s: unknown warehouse."), field="warehouse")
    move = stock.consume_parts(
        actor=request.auth,
        visit=visit,
        part=part,
        quantity=payload.quantity,
        warehouse=warehouse,
        override=payload.override,
        note=payload.note,
    )
    return WithStatus(201, {"move": move.pk, "part": part.code, "quantity": move.quantity})


class PartRequestIn(Strict):
    part: int = Field(..., ge=1, le=2_147_483_647)
    quantity: int = Field(1, ge=1, le=999)
    deliver_to: str = Field(description="warehouse code")


class PartRequestOut(Schema):
    id: int
    part: str
    quantity: int
    status: str
    requested_on: datetime.date
    received_on: datetime.date | None
    wait_days: int


def part_request_out(r) -> dict:
    return {
        "id": r.pk,
        "part": r.part.code,
        "quantity": r.quantity,
        "status": r.status,
        "requested_on": r.requested_on,
        "received_on": r.received_on,
        "wait_days": r.wait_days,
    }


@router.post(
    "/aftersales/tickets/{int:ticket_id}/part-requests",
    response={201: PartRequestOut, **ERRORS},
    tags=["parts"],
    summary="Request a part the repair waits for (the wait counts towards R-PARTS)",
)
def request_part(request, ticket_id: int, payload: PartRequestIn):
    ticket = get_ticket(request.auth, ticket_id)
    part = selectors.get_part(request.auth, payload.part)
    warehouse = selectors.warehouses_for(request.auth).filter(code=payload.deliver_to).first()
    if warehouse is None:
        raise InvalidInput(_("%(field)s: unknown warehouse."), field="deliver_to")
    row = stock.request_part(
        actor=request.auth,
        ticket=ticket,
        part=part,
        quantity=payload.quantity,
        deliver_to=warehouse,
        purchase=selectors.purchase_for(ticket, request.auth),
    )
    return WithStatus(201, part_request_out(row))


@router.post(
    "/aftersales/part-requests/{int:request_id}/receive",
    response={200: PartRequestOut, **ERRORS},
    tags=["parts"],
    summary="The awaited part arrived (days waited go to the 三包 record)",
)
def receive_part(request, request_id: int):
    row = selectors.open_part_requests(request.auth).filter(pk=request_id).first()
    if row is None:
        raise NotFound()
    return part_request_out(stock.receive_requested_part(actor=request.auth, request=row))


# --------------------------------------------------------------------------- fees and payments


class QuoteLineOut(Schema):
    kind: str
    name: str
    amount: str
    code: str | None = None
    quantity: int | None = None
    price: str | None = None


class FeeQuoteOut(Schema):
    category: str
    job: str
    distance_km: int
    labour: str
    callout: str
    parts: str
    total: str
    schedule_version: int
    lines: list[QuoteLineOut]


@router.get(
    "/aftersales/fees/quote",
    response={200: FeeQuoteOut, **ERRORS},
    summary="The fee for a job from the fee schedule (labour, call-out by distance)",
)
def fee_quote(
    request,
    category: str = Query(..., max_length=40),
    job: str = Query(..., max_length=30),
    distance_km: int = Query(0, ge=0, le=1000),
):
    if not can(request.auth, "aftersales.payments"):
        raise NotFound()
    try:
        q = fees.quote(category, job, distance_km=distance_km)
    except fees.FeeError as exc:
        raise payments.fee_error(exc) from None
    return {
        "category": q.category,
        "job": q.job,
        "distance_km": q.distance_km,
        "labour": f"{q.labour:.2f}",
        "callout": f"{q.callout:.2f}",
        "parts": f"{q.parts_total:.2f}",
        "total": f"{q.total:.2f}",
        "schedule_version": q.schedule_version,
        "lines": q.lines(),
    }


class QuoteIn(Strict):
    job: str
    distance_km: int = Field(0, ge=0, le=1000)
    parts: list[dict] = Field(default_factory=list, description='[{"part": id, "quantity": n}]')
    visit_id: int | None = Field(None, ge=1, le=2_147_483_647)


class TicketQuoteOut(Schema):
    id: int
    status: str
    job: str
    total: str
    free: bool
    lines: list[QuoteLineOut]
    accepted_by: str


def quote_out(q) -> dict:
    return {
        "id": q.pk,
        "status": q.status,
        "job": q.job,
        "total": f"{q.total:.2f}",
        "free": q.free,
        "lines": q.lines,
        "accepted_by": q.accepted_by,
    }


@router.post(
    "/aftersales/tickets/{int:ticket_id}/quotes",
    response={201: TicketQuoteOut, **ERRORS},
    summary="Quote a repair from the fee schedule (zero inside the free 三包 period)",
)
def propose_quote(request, ticket_id: int, payload: QuoteIn):
    ticket = get_ticket(request.auth, ticket_id)
    visit = selectors.get_visit(request.auth, payload.visit_id) if payload.visit_id else None
    row = payments.propose_quote(
        actor=request.auth,
        ticket=ticket,
        job=payload.job,
        distance_km=payload.distance_km,
        parts=payload.parts,
        visit=visit,
    )
    return WithStatus(201, quote_out(row))


class QuoteDecisionIn(Strict):
    accept: bool
    accepted_by: str


@router.post(
    "/aftersales/quotes/{int:quote_id}/decision",
    response={200: TicketQuoteOut, **ERRORS},
    summary="The customer accepts or declines a quote (recorded on the visit)",
)
def decide_quote(request, quote_id: int, payload: QuoteDecisionIn):
    quote = selectors.get_quote(request.auth, quote_id)
    row = payments.decide_quote(
        actor=request.auth,
        quote=quote,
        accept=payload.accept,
        via="visit",
        accepted_by=payload.accepted_by,
    )
    return quote_out(row)


class PaymentIn(Strict):
    kind: str = "payment"
    method: str
    amount: str
    receipt_number: str
    quote_id: int | None = Field(None, ge=1, le=2_147_483_647)
    order_id: int | None = Field(None, ge=1, le=2_147_483_647)


class PaymentOut(Schema):
    id: int
    kind: str
    method: str
    amount: str
    receipt_number: str


@router.post(
    "/aftersales/tickets/{int:ticket_id}/payments",
    response={201: PaymentOut, **ERRORS},
    summary="Record a payment, refund or depreciation charge (method, amount, receipt)",
)
def record_payment(request, ticket_id: int, payload: PaymentIn):
    ticket = get_ticket(request.auth, ticket_id)
    quote = selectors.get_quote(request.auth, payload.quote_id) if payload.quote_id else None
    order = selectors.get_order(request.auth, payload.order_id) if payload.order_id else None
    if (quote and quote.ticket_id != ticket.pk) or (order and order.ticket_id != ticket.pk):
        raise NotFound()
    p = payments.record_payment(
        actor=request.auth,
        ticket=ticket,
        kind=payload.kind,
        method=payload.method,
        amount=payload.amount,
        receipt_number=payload.receipt_number,
        quote=quote,
        order=order,
    )
    return WithStatus(
        201,
        {
            "id": p.pk,
            "kind": p.kind,
            "method": p.method,
            "amount": f"{p.amount:.2f}",
            "receipt_number": p.receipt_number,
        },
    )


# --------------------------------------------------------------------------- the warranty card


class WarrantyCardOut(Schema):
    serial: str
    model: str
    model_code: str | None
    category: str
    sale_date: datetime.date
    period_start: datetime.date
    warranty_months: int
    main_part_months: int
    main_parts: list[str]
    warranty_end: datetime.date
    main_parts_end: datetime.date
    days_left: int
    main_part_days_left: int
    repair_days: int
    parts_wait_days: int
    repairs: int


@router.get(
    "/warranty/{serial}",
    response={200: WarrantyCardOut, **ERRORS},
    tags=["warranty"],
    summary="The electronic warranty card of a serial number (within the reader's scope)",
)
def warranty_card(request, serial: str):
    purchase = selectors.purchase_by_serial(request.auth, serial[:60])
    return selectors.warranty_card(purchase)


# --------------------------------------------------------------------------- service outlets


class OutletJobIn(Strict):
    outlet: str = Field(description="outlet code")
    kind: Literal["installation", "repair", "inspection"] = "repair"
    category: str | None = Field(None, description="category code; the purchase's if empty")
    symptom: str = ""


class OutletJobOut(Schema):
    id: int
    ticket: str
    outlet: str
    kind: str
    category: str
    symptom: str
    status: str
    visit: int | None
    technician: str | None
    date: datetime.date | None
    window: str | None


def outlet_job_out(job) -> dict:
    visit = job.visit
    return {
        "id": job.pk,
        "ticket": job.ticket.number,
        "outlet": job.outlet.code,
        "kind": job.kind,
        "category": job.category.code,
        "symptom": job.symptom,
        "status": job.status,
        "visit": visit.pk if visit else None,
        "technician": visit.technician.display_name if visit else None,
        "date": visit.date if visit else None,
        "window": visit.window if visit else None,
    }


@router.post(
    "/aftersales/tickets/{int:ticket_id}/outlet-jobs",
    response={201: OutletJobOut, **ERRORS},
    tags=["outlets"],
    summary="Send a field job to a service outlet",
)
def dispatch_to_outlet(request, ticket_id: int, payload: OutletJobIn):
    ticket = get_ticket(request.auth, ticket_id)
    outlet = ServiceOutlet.objects.filter(code=payload.outlet, is_active=True).first()
    if outlet is None:
        raise InvalidInput(_("%(field)s: no such service outlet."), field="outlet")
    job = outlets.dispatch_to_outlet(
        actor=request.auth,
        ticket=ticket,
        outlet=outlet,
        kind=payload.kind,
        category=payload.category,
        symptom=payload.symptom,
    )
    return WithStatus(201, outlet_job_out(selectors.get_outlet_job(request.auth, job.pk)))


@router.get(
    "/aftersales/outlet-jobs",
    response={200: list[OutletJobOut], **ERRORS},
    tags=["outlets"],
    summary="Outlet jobs (an outlet's people see only their own outlet's)",
)
def list_outlet_jobs(
    request,
    status: str | None = Query(None, max_length=12),
    limit: int = Query(50, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
):
    jobs = selectors.outlet_jobs_visible_to(request.auth)
    if status:
        jobs = jobs.filter(status=status)
    return [outlet_job_out(j) for j in jobs.order_by("-id")[offset : offset + limit]]


class OutletAssignIn(Strict):
    technician: str = Field(description="username of one of the outlet's technicians")
    date: datetime.date
    window: Literal["09-12", "13-17", "18-20"]


@router.post(
    "/aftersales/outlet-jobs/{int:job_id}/assign",
    response={200: OutletJobOut, **ERRORS},
    tags=["outlets"],
    summary="The outlet's manager books one of its technicians",
)
def assign_outlet_job(request, job_id: int, payload: OutletAssignIn):
    job = selectors.get_outlet_job(request.auth, job_id)
    outlets.assign_outlet_job(
        actor=request.auth,
        job=job,
        technician=payload.technician,
        date=payload.date,
        window=payload.window,
    )
    return outlet_job_out(selectors.get_outlet_job(request.auth, job_id))


# --------------------------------------------------------------------------- warranty claims


class ClaimOut(Schema):
    id: int
    number: str
    ticket: str
    visit: int
    brand: str
    month: str
    labour: str
    parts: str
    total: str
    status: str


def claim_out(c) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "ticket": c.ticket.number,
        "visit": c.visit_id,
        "brand": c.brand,
        "month": c.month,
        "labour": f"{c.labour:.2f}",
        "parts": f"{c.parts:.2f}",
        "total": f"{c.total:.2f}",
        "status": c.status,
    }


@router.post(
    "/aftersales/visits/{int:visit_id}/claim",
    response={201: ClaimOut, **ERRORS},
    tags=["claims"],
    summary="Claim a free 三包 repair from the manufacturer (fee schedule + parts used)",
)
def create_claim(request, visit_id: int):
    visit = selectors.get_visit(request.auth, visit_id)
    claim = outlets.create_claim(actor=request.auth, visit=visit)
    return WithStatus(201, claim_out(selectors.get_claim(request.auth, claim.pk)))


class ClaimStatusIn(Strict):
    status: Literal["submitted", "approved", "rejected", "paid"]


@router.post(
    "/aftersales/claims/{int:claim_id}/status",
    response={200: ClaimOut, **ERRORS},
    tags=["claims"],
    summary="Move a warranty claim along",
)
def claim_status(request, claim_id: int, payload: ClaimStatusIn):
    claim = selectors.get_claim(request.auth, claim_id)
    outlets.change_claim_status(actor=request.auth, claim=claim, status=payload.status)
    return claim_out(selectors.get_claim(request.auth, claim_id))


@router.get(
    "/aftersales/claims",
    response={200: list[ClaimOut], **ERRORS},
    tags=["claims"],
    summary="A month's warranty claims (?month=YYYY-MM, optional ?brand=)",
)
def list_claims(
    request,
    month: str = Query(..., pattern=r"^\d{4}-\d{2}$"),
    brand: str | None = Query(None, max_length=50),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=100_000),
):
    claims = selectors.monthly_statement(request.auth, month, brand)
    return [claim_out(c) for c in claims[offset : offset + limit]]
