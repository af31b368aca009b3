"""Reads for after-sales: decisions on a case or a ticket, orders, technicians and visits, always
within the reader's scope (orders and visits are seen through their ticket)."""

from __future__ import annotations

import calendar
import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kefu import rows
from kefu.catalog.models import engine_category
from kefu.catalog.selectors import terms_for
from kefu.customers.models import Purchase
from kefu.customers.selectors import discloses, purchases_of, purchases_visible_to
from kefu.errors import Forbidden, InvalidInput, NotFound
from kefu.org.models import Staff
from kefu.org.roles import Role
from kefu.org.selectors import can, staff_of
from kefu.tickets.selectors import assigned_jobs, tickets_visible_to

from .models import (
    ClaimStatus,
    FeeQuote,
    FieldVisit,
    OrderKind,
    OrderStatus,
    OutletJob,
    OutletMember,
    Part,
    PartRequest,
    PartRequestStatus,
    RepairOutcome,
    ServiceOrder,
    ServiceOutlet,
    StockLevel,
    StockMove,
    Technician,
    VisitKind,
    VisitOutcome,
    VisitStatus,
    VisitWindow,
    Warehouse,
    WarrantyClaim,
    WarrantyRecord,
)
from .policy import Case, CaseError, Decision, adjudicate, parse_case

# Ticket types whose page shows the 三包 decision; installation tickets get only dispatch.
DECISION_TICKET_TYPES = ("fault_report", "return_exchange", "complaint")
FIELD_SERVICE_TICKET_TYPES = (*DECISION_TICKET_TYPES, "installation")


def case_error(exc: CaseError, *, prefix: str = "") -> InvalidInput:
    """The engine's refusal as a 422, in the active language (zh-hans unless the caller asked
    for English), naming the field."""
    english = (get_language() or "").startswith("en")
    field = exc.field if exc.field == "__root__" else prefix + exc.field
    return InvalidInput(exc.message_en if english else exc.message_zh, field=field)


def decide(data: dict, *, prefix: str = "") -> tuple[Case, Decision]:
    """Parse a JSON-shaped case and decide it on the category's terms from the database
    (company policy over the statutory floor). Raises InvalidInput naming the bad field."""
    try:
        case = parse_case(data)
    except CaseError as exc:
        raise case_error(exc, prefix=prefix) from None
    return case, adjudicate(case, terms_for(case.category))


# --------------------------------------------------------------------------- a purchase's history


def require_own_job(actor, ticket) -> None:
    """A technician sees their service area's tickets (to take one) but changes only their
    jobs: a ticket given to them or with a visit of theirs. Everyone else: nothing to check
    (the ticket was fetched within their scope)."""
    staff = staff_of(actor) if actor is not None else None
    if staff is None or staff.scope != "area":
        return
    Ticket = type(ticket)
    if not Ticket.objects.filter(pk=ticket.pk).filter(assigned_jobs(actor, staff)).exists():
        raise Forbidden(_("Only tickets assigned to you (or with your visit) can be changed."))


def purchase_for(ticket, reader=None):
    """The purchase a ticket is about: the linked one, else the customer's latest (that
    ``reader``, when given, may see: another store's sale is not shown to them). The linked
    purchase is shown to a reader of the ticket when it was sold at the ticket's store (or
    online), or when the reader may see it anyway; a sale of another store linked by the CS
    department stays hidden from a store that only works the ticket."""
    if ticket.purchase_id:
        purchase = ticket.purchase
        if reader is None or purchase.store_id in (None, ticket.store_id):
            return purchase
        return purchases_of(reader, ticket.customer).filter(pk=purchase.pk).first()
    purchases = ticket.customer.purchases.all()
    if reader is not None:
        purchases = purchases_of(reader, ticket.customer)
    return (
        purchases.select_related("category", "product_model").order_by("-sale_date", "-id").first()
    )


@rows.prepared
def _record_of(purchase_id: int):
    return WarrantyRecord.objects.filter(purchase_id=purchase_id).order_by("pk")[:1]


def warranty_record(purchase) -> WarrantyRecord | None:
    return _record_of.first(purchase.pk) if purchase else None


def _norm(symptom: str | None) -> str:
    return (symptom or "").strip().casefold()


@rows.prepared
def _failures_of(purchase_id: int, since=None):
    """Failed repairs per symptom, orders and visits in one statement (the ticket page's
    after-sales panel asks on every load)."""
    orders = ServiceOrder.objects.filter(
        purchase_id=purchase_id,
        kind="repair",
        status=OrderStatus.DONE,
        outcome=RepairOutcome.NOT_FIXED,
    )
    visits = FieldVisit.objects.filter(
        purchase_id=purchase_id,
        kind=VisitKind.REPAIR,
        status=VisitStatus.DONE,
        outcome=VisitOutcome.NOT_FIXED,
        order__isnull=True,
    )
    if since is not None:
        orders, visits = (
            orders.filter(finished_at__gte=since),
            visits.filter(finished_at__gte=since),
        )
    per_symptom = orders.values_list("symptom").annotate(n=Count("id")).order_by()
    return per_symptom.union(
        visits.values_list("symptom").annotate(n=Count("id")).order_by(), all=True
    )


def failed_repairs(purchase, *, since: datetime.date | None = None) -> dict[str, int]:
    """Repairs that did not fix the fault, per symptom (R-2REPAIR counts the same fault), since
    the last exchange: a repair order done "not fixed", or an on-site repair visit recorded
    "not fixed" without a repair order (with one, the order already counts it)."""
    if purchase is None:
        return {}
    if since is None:  # the common case (no exchange yet): compiled once per process
        per_symptom = _failures_of(purchase.pk)
    else:
        start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
        per_symptom = _failures_of.build(purchase.pk, start)
    counts: dict[str, int] = {}
    for symptom, n in per_symptom:
        key = _norm(symptom)
        counts[key] = counts.get(key, 0) + n
    return counts


def failed_repairs_of(purchase, symptom: str | None, *, since=None) -> int:
    return failed_repairs(purchase, since=since).get(_norm(symptom), 0)


def script_honorific(customer) -> str | None:
    """How the script addresses the customer: 张先生 / 张女士, or the full name when the gender
    is unknown (the script adds 您好 itself); None when there is no usable name."""
    honorific = customer.honorific.removesuffix("您好").strip()
    return honorific if 0 < len(honorific) <= 20 else None


def prefill_case(ticket, purchase=None, *, today: datetime.date | None = None, reader=None) -> dict:
    """The case as the records tell it (JSON-shaped, for parse_case): the purchase's facts, the
    day the customer asked, days in repair and failed repairs so far, the customer's name.

    After an exchange the period runs from the exchange day (R-RESTART), so that day stands in
    for the sale date and only what happened to the new unit counts. Facts the records cannot
    know (the fault, the wish, a disclosed sample-unit defect, a price complaint) keep the
    engine's defaults for the agent to set."""
    today = today or timezone.localdate()
    asked = timezone.localdate(ticket.created_at) if ticket.created_at else today
    # The name on file goes into the script only for a reader it is disclosed to.
    known = reader is None or discloses(reader, ticket.customer)
    case: dict = {"customer_honorific": script_honorific(ticket.customer) if known else None}
    if purchase is None:
        return case
    record = warranty_record(purchase)
    start = record.exchanged_on if record and record.exchanged_on else purchase.sale_date
    request = max(asked, start)
    owned = (request - start).days
    repair_days = min(record.repair_days, owned) if record else 0
    parts_wait = min(record.parts_wait_days, owned - repair_days) if record else 0
    failures = failed_repairs(purchase, since=record.exchanged_on if record else None)
    model = purchase.product_model
    case.update(
        {
            "category": engine_category(purchase.category.code),
            "price": f"{purchase.price:.2f}",
            "sale_date": start.isoformat(),
            "request_date": request.isoformat(),
            "has_invoice": purchase.has_invoice,
            "has_warranty_card": purchase.has_warranty_card,
            "production_date": (
                purchase.production_date.isoformat()
                if purchase.production_date and purchase.production_date <= start
                else None
            ),
            "channel": purchase.sales_channel,
            "failed_repairs": min(max(failures.values(), default=0), 36500),
            "repair_days": repair_days,
            "parts_wait_days": parts_wait,
            "discontinued_date": model.discontinued_on.isoformat()
            if model and model.discontinued_on
            else None,
        }
    )
    return case


def purchase_hints(purchase) -> dict:
    """Facts on file the agent should ask about before ticking the matching box."""
    if purchase is None:
        return {}
    model = purchase.product_model
    return {
        "sample_unit": purchase.is_sample_unit,
        "above_guide_price": bool(
            model and model.guide_price and purchase.price > model.guide_price
        ),
        "guide_price": model.guide_price if model else None,
    }


# --------------------------------------------------------------------------- orders


def orders_visible_to(user) -> QuerySet:
    return ServiceOrder.objects.filter(ticket__in=tickets_visible_to(user).values("pk"))


@rows.prepared
def ticket_orders(ticket_id: int):
    """A ticket's orders, newest first (the ticket was already fetched within scope)."""
    return (
        ServiceOrder.objects.filter(ticket_id=ticket_id)
        .select_related("purchase", "created_by__staff")
        .order_by("-id")
    )


def orders_for_ticket(ticket) -> QuerySet:
    return ticket_orders.build(ticket.id)


def get_order(user, order_id) -> ServiceOrder:
    order = (
        orders_visible_to(user)
        .select_related("ticket", "purchase__category", "created_by__staff")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound()
    return order


# --------------------------------------------------------------------------- field service


@rows.prepared
def _serving(category_id: int, store_id: int, region_id: int):
    return (
        Technician.objects.filter(
            is_active=True,
            staff__role=Role.TECHNICIAN,
            staff__user__is_active=True,
            skills=category_id,
        )
        .filter(Q(stores=store_id) | Q(regions=region_id))
        .select_related("staff__user")
        .distinct()
        .order_by("staff__display_name")
    )


def serving_technicians(category, store) -> list[Technician]:
    """``technicians_for(category, store)`` as a list, compiled once per process."""
    return _serving(category.pk, store.pk, store.region_id)


def technicians_for(category, store, *, date=None, window=None) -> QuerySet:
    """Technicians who may take a visit: active, with the skill for the category, serving the
    store (listed, or its whole region), and — when a slot is given — free in it."""
    technicians = _serving.build(category.pk, store.pk, store.region_id)
    if date is not None and window:
        busy = FieldVisit.objects.filter(
            status=VisitStatus.SCHEDULED, date=date, window=window
        ).values("technician_id")
        technicians = technicians.exclude(staff_id__in=busy)
    return technicians


def active_technicians() -> QuerySet:
    """Every technician taking visits (when the category is not known yet)."""
    return (
        Technician.objects.filter(
            is_active=True, staff__role=Role.TECHNICIAN, staff__user__is_active=True
        )
        .select_related("staff__user")
        .order_by("staff__display_name")
    )


def free_slots(staff, *, start: datetime.date, days: int = 7) -> list[tuple[datetime.date, str]]:
    """A technician's open appointment slots over the next ``days`` days."""
    taken = set(
        FieldVisit.objects.filter(
            technician=staff,
            status=VisitStatus.SCHEDULED,
            date__gte=start,
            date__lt=start + datetime.timedelta(days=days),
        ).values_list("date", "window")
    )
    return [
        (start + datetime.timedelta(days=i), w)
        for i in range(days)
        for w in VisitWindow.values
        if (start + datetime.timedelta(days=i), w) not in taken
    ]


def visits_visible_to(user) -> QuerySet:
    """Visits seen through their ticket; an outlet's people see the visits of their outlet's
    jobs (its manager all of them, a technician their own) and nothing else."""
    staff = staff_of(user)
    if staff is not None and staff.scope == "outlet":
        visits = FieldVisit.objects.filter(outlet_job__outlet=outlet_of(user))
        if staff.role != Role.OUTLET_MANAGER:
            visits = visits.filter(technician=staff)
        return visits
    return FieldVisit.objects.filter(ticket__in=tickets_visible_to(user).values("pk"))


@rows.prepared
def ticket_visits(ticket_id: int):
    return (
        FieldVisit.objects.filter(ticket_id=ticket_id)
        .select_related("technician", "category", "order")
        .order_by("-id")
    )


def visits_for_ticket(ticket) -> QuerySet:
    return ticket_visits.build(ticket.id)


def my_visits(
    user, *, status=(VisitStatus.SCHEDULED,), start: datetime.date | None = None
) -> QuerySet:
    """A technician's own visits; for a dispatcher, every visit in their scope. Soonest first."""

    staff = staff_of(user)
    visits = visits_visible_to(user)
    if staff is None or (
        staff.role in (Role.TECHNICIAN, Role.OUTLET_TECHNICIAN) or not can(user, "tickets.assign")
    ):
        visits = visits.filter(technician__user=user)
    if status:
        visits = visits.filter(status__in=list(status))
    if start is not None:
        visits = visits.filter(date__gte=start)
    return visits.select_related("ticket__customer", "technician", "category", "store").order_by(
        "date", "window", "id"
    )


def get_visit(user, visit_id) -> FieldVisit:
    visit = (
        visits_visible_to(user)
        .select_related(
            "ticket__customer", "ticket__store", "technician__user", "category", "order", "purchase"
        )
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise NotFound()
    return visit


# --------------------------------------------------------------------------- spare parts


def parts_catalogue(user, *, model: str | None = None) -> QuerySet:
    """The parts catalogue (配件目录), optionally of one product model (by its code)."""
    if not can(user, "aftersales.parts"):
        return Part.objects.none()
    parts = Part.objects.filter(is_active=True).select_related("product_model__category")
    if model:
        parts = parts.filter(product_model__code=model)
    return parts.order_by("product_model__code", "code")


def get_part(user, part_id) -> Part:
    part = parts_catalogue(user).filter(pk=part_id).first() if str(part_id).isdigit() else None
    if part is None:
        raise NotFound()
    return part


def part_stock(part) -> QuerySet:
    """A part's stock in every warehouse that has held it."""
    return (
        StockLevel.objects.filter(part=part)
        .select_related("warehouse__outlet", "warehouse__technician")
        .order_by("warehouse__kind", "warehouse__code")
    )


def warehouses_for(user) -> QuerySet:
    """Warehouses a person may move parts out of: a technician's own van; every one for the CS
    department."""
    if not can(user, "aftersales.stock"):
        return Warehouse.objects.none()
    staff = staff_of(user)
    if staff is not None and staff.role in (Role.TECHNICIAN, Role.OUTLET_TECHNICIAN):
        return Warehouse.objects.filter(technician=staff)
    if staff is not None and staff.role == Role.OUTLET_MANAGER:
        return Warehouse.objects.filter(
            Q(outlet=outlet_of(user)) | Q(technician__outlet_membership__outlet=outlet_of(user))
        )
    return Warehouse.objects.all()


def open_part_requests(user) -> QuerySet:
    return (
        PartRequest.objects.filter(
            status=PartRequestStatus.REQUESTED, ticket__in=tickets_visible_to(user).values("pk")
        )
        .select_related("ticket", "part", "deliver_to")
        .order_by("requested_on", "id")
    )


def recent_moves(limit: int = 30) -> QuerySet:
    return StockMove.objects.select_related("part", "source", "target", "actor__staff").order_by(
        "-id"
    )[:limit]


# --------------------------------------------------------------------------- the warranty card


def warranty_card(purchase, *, today: datetime.date | None = None) -> dict:
    """The electronic warranty card (电子保修卡) of one purchase: model, sale date, periods,
    whole-unit and main-part days left (extended by days in repair and waiting for parts), and
    the repairs so far."""
    today = today or timezone.localdate()
    terms = terms_for(purchase.category.code)
    record = warranty_record(purchase)
    start = record.exchanged_on if record and record.exchanged_on else purchase.sale_date
    extra = (record.repair_days + record.parts_wait_days) if record else 0

    def end_of(months: int) -> datetime.date:
        month = start.month - 1 + months
        year, month = start.year + month // 12, month % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return datetime.date(year, month, day) + datetime.timedelta(days=extra)

    warranty_end = end_of(terms.warranty_months)
    main_parts_end = end_of(terms.main_part_months)
    repairs = list(
        FieldVisit.objects.filter(purchase=purchase, kind=VisitKind.REPAIR, status=VisitStatus.DONE)
        .order_by("date")
        .values("date", "outcome", "symptom")
    ) + list(
        ServiceOrder.objects.filter(
            purchase=purchase, kind=OrderKind.REPAIR, status=OrderStatus.DONE
        )
        .order_by("finished_at")
        .values("finished_at", "outcome", "symptom")
    )
    return {
        "serial": purchase.serial,
        "model": purchase.model_name,
        "model_code": purchase.product_model.code if purchase.product_model_id else None,
        "category": purchase.category.code,
        "sale_date": purchase.sale_date,
        "period_start": start,
        "warranty_months": terms.warranty_months,
        "main_part_months": terms.main_part_months,
        "main_parts": list(terms.main_parts),
        "warranty_end": warranty_end,
        "main_parts_end": main_parts_end,
        "days_left": max((warranty_end - today).days, 0),
        "main_part_days_left": max((main_parts_end - today).days, 0),
        "repair_days": record.repair_days if record else 0,
        "parts_wait_days": record.parts_wait_days if record else 0,
        "repairs": len(repairs),
    }


def purchase_by_serial(user, serial: str):
    """The purchase with this serial number among those the reader may see (404 otherwise)."""
    serial = (serial or "").strip()
    purchase = (
        purchases_visible_to(user)
        .filter(serial=serial)
        .exclude(serial="")
        .select_related("category", "product_model")
        .order_by("-sale_date", "-id")
        .first()
        if serial and can(user, "aftersales.warranty")
        else None
    )
    if purchase is None:
        raise NotFound()
    return purchase


def purchase_by_serial_and_mobile(serial: str, mobile: str):
    """The portal's lookup: the serial number AND the buyer's mobile must both match; anything
    else is None, so the page reveals nothing about whether the serial exists."""
    serial, mobile = (serial or "").strip(), (mobile or "").strip()
    if not serial or not mobile:
        return None
    return (
        Purchase.objects.filter(serial=serial, customer__phone=mobile)
        .exclude(serial="")
        .select_related("category", "product_model")
        .order_by("-sale_date", "-id")
        .first()
    )


def get_quote(user, quote_id):
    """A fee quote, seen through its ticket (404 outside the reader's scope)."""
    quote = (
        FeeQuote.objects.filter(pk=quote_id, ticket__in=tickets_visible_to(user).values("pk"))
        .select_related("ticket")
        .first()
    )
    if quote is None:
        raise NotFound()
    return quote


# --------------------------------------------------------------------------- service outlets


def outlet_of(user):
    """The service outlet a person works for (None for everyone else)."""
    staff = staff_of(user)
    if staff is None or staff.pk is None:
        return None
    member = OutletMember.objects.filter(staff=staff).select_related("outlet").first()
    return member.outlet if member else None


def outlet_technicians(outlet) -> QuerySet:
    return Staff.objects.filter(
        outlet_membership__outlet=outlet, role=Role.OUTLET_TECHNICIAN, user__is_active=True
    ).order_by("display_name")


def outlets_for(category, store) -> QuerySet:
    """Active outlets serving the store's region and the category."""
    return ServiceOutlet.objects.filter(
        is_active=True, regions=store.region_id, categories=category
    ).order_by("code")


def outlet_jobs_visible_to(user) -> QuerySet:
    """An outlet's people: their outlet's jobs only. The CS department: jobs of tickets in scope."""
    if not can(user, "aftersales.outlet_jobs"):
        return OutletJob.objects.none()
    staff = staff_of(user)
    jobs = OutletJob.objects.select_related(
        "outlet", "category", "ticket__store", "visit__technician"
    )
    if staff.scope == "outlet":
        jobs = jobs.filter(outlet=outlet_of(user))
        if staff.role != Role.OUTLET_MANAGER:
            jobs = jobs.filter(visit__technician=staff)
        return jobs
    return jobs.filter(ticket__in=tickets_visible_to(user).values("pk"))


def get_outlet_job(user, job_id) -> OutletJob:
    job = outlet_jobs_visible_to(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job


# --------------------------------------------------------------------------- warranty claims


def claims_visible_to(user) -> QuerySet:
    if not can(user, "aftersales.claims"):
        return WarrantyClaim.objects.none()
    return WarrantyClaim.objects.filter(
        ticket__in=tickets_visible_to(user).values("pk")
    ).select_related("ticket", "visit__category")


def get_claim(user, claim_id) -> WarrantyClaim:
    claim = claims_visible_to(user).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound()
    return claim


def monthly_statement(user, month: str, brand: str | None = None) -> QuerySet:
    """A month's claims (by repair month), per manufacturer, for the statement export."""
    claims = claims_visible_to(user).filter(month=month).exclude(status=ClaimStatus.REJECTED)
    if brand:
        claims = claims.filter(brand=brand)
    return claims.order_by("brand", "id")
