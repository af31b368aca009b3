"""Writes for partner service outlets (服务网点) and the manufacturer's warranty claims.

The CS department sends a field job to an outlet that serves the ticket's region and product
category; the outlet's manager books one of the outlet's own technicians, which makes the field
visit. A free 三包 repair done becomes a claim to the manufacturer (厂家索赔): labour per the fee
schedule and the parts used at catalogue price, moving draft → submitted → approved / rejected
→ paid, and listed per month in a statement. Each write is one transaction with a timeline event.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu import clean
from kefu.catalog.models import ProductCategory
from kefu.errors import Conflict, Forbidden, InvalidInput, NotFound
from kefu.org.selectors import can
from kefu.tickets.timeline import lock_ticket, record_event

from . import fees, selectors
from .models import (
    CLAIM_TRANSITIONS,
    ClaimStatus,
    FieldVisit,
    MoveKind,
    OutletJob,
    OutletJobStatus,
    ServiceOutlet,
    StockMove,
    VisitKind,
    VisitStatus,
    WarrantyClaim,
)
from .services import _check_slot

EVENT_KINDS = ("outlet_dispatched", "outlet_assigned", "claim_created", "claim_status")


@transaction.atomic
def dispatch_to_outlet(
    *, actor, ticket, outlet: ServiceOutlet, kind: str, category=None, symptom: str = ""
) -> OutletJob:
    """Send a field job to a service outlet that serves the ticket's region and the category."""
    if not can(actor, "aftersales.outlet_dispatch"):
        raise Forbidden(_("You may not send jobs to service outlets."))
    kind = clean.choice(kind, VisitKind, "kind")
    symptom = clean.text(symptom, "symptom", required=False, max_length=100)
    locked = lock_ticket(ticket, related=("store__region", "customer"))
    purchase = selectors.purchase_for(locked)
    if category is None and purchase is not None:
        category = purchase.category
    if isinstance(category, str):
        category = ProductCategory.objects.filter(code=category).first()
    if category is None:
        raise InvalidInput(_("%(field)s: this field is required."), field="category")
    if not outlet.is_active or not (
        outlet.regions.filter(pk=locked.store.region_id).exists()
        and outlet.categories.filter(pk=category.pk).exists()
    ):
        raise InvalidInput(
            _("%(field)s: this outlet does not serve the store's region and this category."),
            field="outlet",
        )
    job = OutletJob.objects.create(
        ticket=locked,
        outlet=outlet,
        kind=kind,
        category=category,
        symptom=symptom,
        created_by=actor,
    )
    record_event(
        locked,
        "outlet_dispatched",
        actor,
        body=gettext("Sent to the service outlet %(outlet)s") % {"outlet": outlet.name},
        job=job.pk,
        outlet=outlet.code,
        kind=kind,
    )
    return job


@transaction.atomic
def assign_outlet_job(*, actor, job: OutletJob, technician, date, window: str) -> FieldVisit:
    """The outlet's manager books one of the outlet's own technicians for a slot: the visit."""
    if not can(actor, "aftersales.outlet_assign"):
        raise Forbidden(_("Only the outlet's manager books its technicians."))
    outlet = selectors.outlet_of(actor)
    if outlet is None or outlet.pk != job.outlet_id:
        raise NotFound()
    staff = (
        selectors.outlet_technicians(outlet).filter(user__username=str(technician)).first()
        if not hasattr(technician, "pk")
        else selectors.outlet_technicians(outlet).filter(pk=technician.pk).first()
    )
    if staff is None:
        raise InvalidInput(
            _("%(field)s: not one of this outlet's technicians."), field="technician"
        )
    date, window = _check_slot(date, window, today=timezone.localdate())
    ticket = lock_ticket(job.ticket, related=("store", "customer"))
    locked = OutletJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
    if locked.status != OutletJobStatus.DISPATCHED:
        raise Conflict(_("This job already has a technician."))
    try:
        with transaction.atomic():
            visit = FieldVisit.objects.create(
                ticket=ticket,
                purchase=selectors.purchase_for(ticket),
                category=locked.category,
                store=ticket.store,
                kind=locked.kind,
                symptom=locked.symptom,
                technician=staff,
                date=date,
                window=window,
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("That technician already has a visit in this slot.")) from None
    locked.visit, locked.status = visit, OutletJobStatus.ASSIGNED
    locked.save(update_fields=["visit", "status"])
    record_event(
        ticket,
        "outlet_assigned",
        actor,
        public=True,
        body=gettext("%(outlet)s booked %(name)s for %(date)s %(window)s")
        % {
            "outlet": locked.outlet.name,
            "name": staff.display_name,
            "date": date.isoformat(),
            "window": visit.get_window_display(),
        },
        job=locked.pk,
        visit=visit.pk,
        technician=staff.user.username,
    )
    return visit


# --------------------------------------------------------------------------- warranty claims


@transaction.atomic
def create_claim(*, actor, visit: FieldVisit) -> WarrantyClaim:
    """Claim a free 三包 repair from the manufacturer: labour per the fee schedule (a main-part
    repair when a main part was used) and the parts used at catalogue price."""
    if not can(actor, "aftersales.claims"):
        raise Forbidden(_("You may not make warranty claims."))
    if visit.status != VisitStatus.DONE or visit.kind != VisitKind.REPAIR:
        raise Conflict(_("Only a repair visit that is done can be claimed."))
    if visit.fee:
        raise Conflict(_("The customer paid for this repair: it is not a warranty repair."))
    moves = list(
        StockMove.objects.filter(visit=visit, kind=MoveKind.CONSUME).select_related(
            "part__product_model"
        )
    )
    parts = [fees.PartLine(m.part.code, m.part.name, m.part.price, m.quantity) for m in moves]
    job = "main_part_repair" if any(m.part.is_main_part for m in moves) else "repair"
    quote = fees.quote(visit.category.code, job, parts=parts)
    brand = next((m.part.product_model.brand for m in moves), "")
    if not brand and visit.purchase_id and visit.purchase.product_model_id:
        brand = visit.purchase.product_model.brand
    ticket = lock_ticket(visit.ticket)
    day = timezone.localdate(visit.finished_at) if visit.finished_at else visit.date
    try:
        with transaction.atomic():
            claim = WarrantyClaim.objects.create(
                visit=visit,
                ticket=ticket,
                brand=brand or gettext("Unknown"),
                month=day.strftime("%Y-%m"),
                labour=quote.labour,
                parts=quote.parts_total,
                total=(quote.labour + quote.parts_total).quantize(Decimal("0.01")),
                lines=quote.lines()[:1] + quote.lines()[2:],  # no call-out in a claim
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("This visit is already claimed.")) from None
    record_event(
        ticket,
        "claim_created",
        actor,
        body=gettext("Warranty claim %(number)s to %(brand)s: %(total)s yuan")
        % {"number": claim.number, "brand": claim.brand, "total": f"{claim.total:.2f}"},
        claim=claim.pk,
        total=f"{claim.total:.2f}",
    )
    return claim


@transaction.atomic
def change_claim_status(*, actor, claim: WarrantyClaim, status: str) -> WarrantyClaim:
    """Move a claim along: submitted to the manufacturer, approved or rejected, paid."""
    if not can(actor, "aftersales.claims"):
        raise Forbidden(_("You may not make warranty claims."))
    status = clean.choice(status, ClaimStatus, "status")
    ticket = lock_ticket(claim.ticket)
    locked = WarrantyClaim.objects.select_for_update(of=("self",)).get(pk=claim.pk)
    if status not in CLAIM_TRANSITIONS[locked.status]:
        raise Conflict(
            _("A claim that is “%(status)s” cannot move there."),
            status=ClaimStatus(locked.status).label,
        )
    previous, locked.status = locked.status, status
    locked.save(update_fields=["status", "updated_at"])
    record_event(
        ticket,
        "claim_status",
        actor,
        body=gettext("Warranty claim %(number)s: %(status)s")
        % {"number": locked.number, "status": locked.get_status_display()},
        claim=locked.pk,
        previous=previous,
        status=status,
    )
    return locked
