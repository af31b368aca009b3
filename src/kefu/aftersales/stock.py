"""Writes for spare parts (配件): parts received into a warehouse, used on a visit, moved between
warehouses, requested for a repair and received, old parts returned for the manufacturer's
warranty claim; and the nightly sweep that warns before a 三包 time limit grants an exchange.

Stock never goes below zero unless someone with the right says so and why (``override``): the
decrement is one conditional UPDATE, so two technicians taking the last part at the same moment
cannot both have it — the second is refused with a clear message. Each write is one transaction;
writes about a ticket lock it first and leave a timeline event.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu import clean
from kefu.catalog.selectors import terms_for
from kefu.errors import Conflict, Forbidden, InvalidInput
from kefu.notifications.services import notify_many
from kefu.org.models import Staff
from kefu.org.roles import Role
from kefu.org.selectors import can
from kefu.tickets.timeline import lock_ticket, record_event

from .models import (
    FieldVisit,
    MoveKind,
    OrderKind,
    OrderStatus,
    Part,
    PartRequest,
    PartRequestStatus,
    ServiceOrder,
    StockLevel,
    StockMove,
    Warehouse,
    WarehouseKind,
    WarrantyRecord,
)

log = logging.getLogger(__name__)
EVENT_KINDS = ("parts_used", "part_requested", "part_received", "old_part_returned")
# How many days before a limit the sweep warns (time to chase the supplier or plan the exchange).
WARN_DAYS_BEFORE = 10
MAX_QUANTITY = 999


def _quantity(value) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_QUANTITY:
        raise InvalidInput(
            _("%(field)s: a whole number between 1 and %(max)s."),
            field="quantity",
            max=MAX_QUANTITY,
        )
    return value


def _require(actor, capability: str) -> None:
    if not can(actor, capability):
        raise Forbidden(_("You may not move spare parts."))


def _may_use(actor, warehouse: Warehouse) -> None:
    """A technician moves parts out of their own van only; the CS department moves any."""
    _require(actor, "aftersales.stock")
    staff = getattr(actor, "staff", None)
    if staff is not None and staff.role == Role.TECHNICIAN and warehouse.technician_id != staff.pk:
        raise Forbidden(_("A technician takes parts from their own van only."))


def _add(warehouse: Warehouse, part: Part, quantity: int) -> None:
    StockLevel.objects.get_or_create(warehouse=warehouse, part=part)
    StockLevel.objects.filter(warehouse=warehouse, part=part).update(
        quantity=F("quantity") + quantity
    )


def _take(actor, warehouse: Warehouse, part: Part, quantity: int, override: bool, note: str):
    """Take parts out: refused when the warehouse has too few, unless overridden with a reason."""
    StockLevel.objects.get_or_create(warehouse=warehouse, part=part)
    rows = StockLevel.objects.filter(warehouse=warehouse, part=part)
    if override:
        if not can(actor, "aftersales.stock_override"):
            raise Forbidden(_("Only the CS department may take stock below zero."))
        if not note:
            raise InvalidInput(_("%(field)s: say why stock may go below zero."), field="note")
        rows.update(quantity=F("quantity") - quantity)
        return
    # One conditional UPDATE: of two concurrent takers of the last part, one matches no row.
    if not rows.filter(quantity__gte=quantity).update(quantity=F("quantity") - quantity):
        have = rows.values_list("quantity", flat=True).first() or 0
        raise Conflict(
            _("Not enough “%(part)s” in %(warehouse)s: %(have)s in stock, %(want)s needed."),
            part=part.name,
            warehouse=warehouse.name,
            have=have,
            want=quantity,
        )


@transaction.atomic
def receive_parts(
    *, actor, warehouse: Warehouse, part: Part, quantity, note: str = ""
) -> StockMove:
    """Parts delivered into a warehouse (入库)."""
    _require(actor, "aftersales.stock")
    quantity = _quantity(quantity)
    note = clean.text(note, "note", required=False, max_length=200)
    _add(warehouse, part, quantity)
    return StockMove.objects.create(
        kind=MoveKind.RECEIVE,
        part=part,
        quantity=quantity,
        target=warehouse,
        note=note,
        actor=actor,
    )


@transaction.atomic
def transfer_parts(
    *,
    actor,
    part: Part,
    source: Warehouse,
    target: Warehouse,
    quantity,
    override: bool = False,
    note: str = "",
) -> StockMove:
    """Move parts between warehouses (调拨): the CS department's, an outlet's, a van."""
    if source.pk == target.pk:
        raise InvalidInput(_("%(field)s: choose another warehouse."), field="target")
    _may_use(actor, source)
    quantity = _quantity(quantity)
    note = clean.text(note, "note", required=False, max_length=200)
    _take(actor, source, part, quantity, override, note)
    _add(target, part, quantity)
    return StockMove.objects.create(
        kind=MoveKind.TRANSFER,
        part=part,
        quantity=quantity,
        source=source,
        target=target,
        override=override,
        note=note,
        actor=actor,
    )


@transaction.atomic
def consume_parts(
    *,
    actor,
    visit: FieldVisit,
    part: Part,
    quantity,
    warehouse: Warehouse | None = None,
    override: bool = False,
    note: str = "",
) -> StockMove:
    """Parts used on a visit (领用): out of the technician's van unless another warehouse is
    named; the visit's parts list and the ticket's timeline show them."""
    warehouse = warehouse or Warehouse.objects.filter(technician=visit.technician).first()
    if warehouse is None:
        raise InvalidInput(_("%(field)s: the technician has no van stock."), field="warehouse")
    if visit.technician.user_id != getattr(actor, "pk", None) and not can(actor, "tickets.assign"):
        raise Forbidden(_("Only the visit's technician or a dispatcher may do this."))
    _may_use(actor, warehouse) if warehouse.technician_id else _require(actor, "aftersales.stock")
    quantity = _quantity(quantity)
    note = clean.text(note, "note", required=False, max_length=200)
    ticket = lock_ticket(visit.ticket)
    _take(actor, warehouse, part, quantity, override, note)
    move = StockMove.objects.create(
        kind=MoveKind.CONSUME,
        part=part,
        quantity=quantity,
        source=warehouse,
        visit=visit,
        ticket=ticket,
        override=override,
        note=note,
        actor=actor,
    )
    locked = FieldVisit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    locked.parts_used = [
        *locked.parts_used,
        {"name": part.name, "code": part.code, "quantity": quantity},
    ]
    locked.save(update_fields=["parts_used"])
    record_event(
        ticket,
        "parts_used",
        actor,
        body=gettext("Parts used: %(name)s × %(quantity)s")
        % {"name": part.name, "quantity": quantity},
        visit=visit.pk,
        part=part.code,
        quantity=quantity,
        warehouse=warehouse.code,
        override=override,
    )
    return move


@transaction.atomic
def request_part(
    *, actor, ticket, part: Part, quantity=1, deliver_to: Warehouse, purchase=None, order=None
) -> PartRequest:
    """A technician asks for a part the repair waits for (配件申请). From today the purchase is
    waiting for parts: the days count towards R-PARTS when it arrives."""
    _require(actor, "aftersales.stock")
    quantity = _quantity(quantity)
    locked = lock_ticket(ticket)
    request = PartRequest.objects.create(
        ticket=locked,
        purchase=purchase,
        order=order,
        part=part,
        quantity=quantity,
        deliver_to=deliver_to,
        requested_on=timezone.localdate(),
        requested_by=actor,
    )
    record_event(
        locked,
        "part_requested",
        actor,
        public=True,
        body=gettext("Waiting for a part: %(name)s × %(quantity)s")
        % {"name": part.name, "quantity": quantity},
        request=request.pk,
        part=part.code,
        quantity=quantity,
    )
    return request


@transaction.atomic
def receive_requested_part(*, actor, request: PartRequest, today: datetime.date | None = None):
    """The awaited part arrived: into the warehouse it was asked for, and the days waited added
    to the purchase's 三包 record (and the repair order's) as days waiting for parts (R-PARTS)."""
    _require(actor, "aftersales.stock")
    today = today or timezone.localdate()
    ticket = lock_ticket(request.ticket)
    locked = PartRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if locked.status != PartRequestStatus.REQUESTED:
        raise Conflict(_("This part request is already closed."))
    locked.status, locked.received_on = PartRequestStatus.RECEIVED, today
    locked.wait_days = max((today - locked.requested_on).days, 0)
    locked.save(update_fields=["status", "received_on", "wait_days"])
    _add(locked.deliver_to, locked.part, locked.quantity)
    StockMove.objects.create(
        kind=MoveKind.RECEIVE,
        part=locked.part,
        quantity=locked.quantity,
        target=locked.deliver_to,
        ticket=ticket,
        note=gettext("Part request %(id)s") % {"id": locked.pk},
        actor=actor,
    )
    if locked.purchase_id and locked.wait_days:
        record, _created = WarrantyRecord.objects.select_for_update(of=("self",)).get_or_create(
            purchase_id=locked.purchase_id
        )
        record.parts_wait_days += locked.wait_days
        record.save(update_fields=["parts_wait_days", "updated_at"])
    if locked.order_id and locked.wait_days:
        ServiceOrder.objects.filter(pk=locked.order_id).update(
            parts_wait_days=F("parts_wait_days") + locked.wait_days
        )
    record_event(
        ticket,
        "part_received",
        actor,
        public=True,
        body=gettext("The part arrived after %(days)s days: %(name)s")
        % {"days": locked.wait_days, "name": locked.part.name},
        request=locked.pk,
        part=locked.part.code,
        wait_days=locked.wait_days,
    )
    return locked


@transaction.atomic
def return_old_part(
    *, actor, visit: FieldVisit, part: Part, quantity=1, warehouse: Warehouse | None = None
) -> StockMove:
    """The replaced part goes back (旧件返还) to the CS department's warehouse, kept for the
    manufacturer's warranty claim."""
    _require(actor, "aftersales.stock")
    quantity = _quantity(quantity)
    warehouse = warehouse or Warehouse.objects.filter(kind=WarehouseKind.CS).first()
    if warehouse is None:
        raise InvalidInput(_("%(field)s: there is no CS department warehouse."), field="warehouse")
    ticket = lock_ticket(visit.ticket)
    move = StockMove.objects.create(
        kind=MoveKind.OLD_RETURN,
        part=part,
        quantity=quantity,
        target=warehouse,
        visit=visit,
        ticket=ticket,
        actor=actor,
    )
    record_event(
        ticket,
        "old_part_returned",
        actor,
        body=gettext("Old part returned for the warranty claim: %(name)s × %(quantity)s")
        % {"name": part.name, "quantity": quantity},
        visit=visit.pk,
        part=part.code,
        quantity=quantity,
    )
    return move


# --------------------------------------------------------------------------- the limits sweep


def _recipients(ticket) -> list[int]:
    """Who hears of a limit: the ticket's assignee, else the CS managers."""
    if ticket.assignee_id:
        return [ticket.assignee_id]
    return list(
        Staff.objects.filter(role=Role.CS_MANAGER, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


@transaction.atomic
def warn_limits(today: datetime.date | None = None) -> int:
    """Warn before R-PARTS (90 days waiting for parts, 60 for phones: the category's terms) and
    R-REPAIRER-30 (30 days in repair) will grant the customer an exchange. Each request or order
    is warned once. Returns how many warnings went out."""
    today = today or timezone.localdate()
    items = []
    requests = (
        PartRequest.objects.select_for_update(of=("self",))
        .filter(status=PartRequestStatus.REQUESTED, warned_on__isnull=True, purchase__isnull=False)
        .select_related("ticket", "part", "purchase__category", "purchase__warranty_record")
    )
    for request in requests:
        terms = terms_for(request.purchase.category.code)
        record = getattr(request.purchase, "warranty_record", None)
        waited = (record.parts_wait_days if record else 0) + (today - request.requested_on).days
        left = terms.parts_missing_exchange_days - waited
        if left > WARN_DAYS_BEFORE:
            continue
        request.warned_on = today
        request.save(update_fields=["warned_on"])
        text = gettext(
            "%(number)s: the part “%(part)s” has been awaited %(waited)s days; at %(limit)s days "
            "the customer is owed an exchange (R-PARTS)."
        ) % {
            "number": request.ticket.number,
            "part": request.part.name,
            "waited": waited,
            "limit": terms.parts_missing_exchange_days,
        }
        items.append((_recipients(request.ticket), "parts_limit", text, request.ticket))
    orders = (
        ServiceOrder.objects.select_for_update(of=("self",))
        .filter(
            kind=OrderKind.REPAIR,
            status=OrderStatus.IN_PROGRESS,
            delay_warned_on__isnull=True,
            started_at__isnull=False,
        )
        .select_related("ticket", "purchase__category")
    )
    for order in orders:
        code = order.purchase.category.code if order.purchase_id else "other"
        limit = terms_for(code).repairer_delay_exchange_days
        days = (today - timezone.localdate(order.started_at)).days
        if limit - days > WARN_DAYS_BEFORE:
            continue
        order.delay_warned_on = today
        order.save(update_fields=["delay_warned_on"])
        text = gettext(
            "%(number)s: repair order %(order)s has been in repair %(days)s days; at %(limit)s "
            "days the customer is owed an exchange (R-REPAIRER-30)."
        ) % {"number": order.ticket.number, "order": order.number, "days": days, "limit": limit}
        items.append((_recipients(order.ticket), "repairer_limit", text, order.ticket))
    return notify_many(items) if items else 0
