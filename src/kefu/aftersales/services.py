"""Writes for after-sales: orders that carry out a 三包 decision, and field visits.

Each function is one transaction, locks the ticket row first (so two changes to one ticket's
orders or visits queue up rather than interleave), and leaves a timeline event on the ticket.
The ticket's version is not bumped: an order changing does not make an agent's open reply stale.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu import clean
from kefu.catalog.models import ProductCategory
from kefu.catalog.selectors import terms_for
from kefu.errors import Conflict, Forbidden, InvalidInput
from kefu.org.models import Staff
from kefu.org.selectors import can
from kefu.tickets.models import OPEN_STATUSES, Ticket, TicketEvent
from kefu.tickets.timeline import lock_ticket, record_event

from . import selectors
from .labels import REMEDY_LABELS
from .models import (
    OPEN_ORDER_STATUSES,
    ORDER_TRANSITIONS,
    FieldVisit,
    OrderKind,
    OrderStatus,
    OutletJob,
    OutletJobStatus,
    RepairOutcome,
    ServiceOrder,
    VisitKind,
    VisitOutcome,
    VisitReschedule,
    VisitStatus,
    VisitWindow,
    WarrantyRecord,
)
from .policy import warranty_after_exchange

# The engine's remedies an order can carry out, and the kind of order each becomes.
# Compensation and referral to the seller are settled on the ticket, not by an order.
ORDER_KIND_OF_REMEDY = {
    "return": OrderKind.RETURN,
    "exchange": OrderKind.EXCHANGE,
    "trade_in": OrderKind.EXCHANGE,  # 折旧换机: a new unit for a depreciation charge
    "repair": OrderKind.REPAIR,
    "paid_repair": OrderKind.REPAIR,
}
EVENT_KINDS = (
    "order_created",
    "order_status",
    "exchange_suggested",
    "visit_scheduled",
    "visit_rescheduled",
    "visit_recorded",
    "visit_cancelled",
)
MAX_DAYS = 3650
MAX_TEXT = 2000


# --------------------------------------------------------------------------- helpers


def _require(actor, capability: str, message):
    if not can(actor, capability):
        raise Forbidden(message)


def _lock(ticket) -> Ticket:
    return lock_ticket(ticket, related=("store__region", "customer"))


def _days(value, field: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_DAYS:
        raise InvalidInput(
            _("%(field)s: a whole number of days between 0 and %(max)s."), field=field, max=MAX_DAYS
        )
    return value


def _amount(value) -> str | None:
    return None if value is None else f"{value:.2f}"


# --------------------------------------------------------------------------- orders


@transaction.atomic
def create_order(
    *,
    actor,
    ticket: Ticket,
    remedy: str,
    case: dict | None = None,
    symptom: str = "",
    note: str = "",
    fee=None,
) -> ServiceOrder:
    """Turn a 三包 decision into a return, exchange or repair order (一步生成售后单).

    The case is the ticket's purchase as on file (``selectors.prefill_case``) with ``case``'s
    facts laid over it; without a purchase on file ``case`` must be complete. The remedy must be
    one the decision grants. The refund and depreciation come from the decision; ``fee`` is the
    quoted charge of a paid repair."""
    _require(actor, "tickets.status", _("Your role may not create after-sales orders."))
    selectors.require_own_job(actor, ticket)
    if remedy not in ORDER_KIND_OF_REMEDY:
        raise InvalidInput(
            _("%(field)s: “%(value)s” is not carried out by an order (one of: %(allowed)s)."),
            field="remedy",
            value=str(remedy)[:30],
            allowed=", ".join(ORDER_KIND_OF_REMEDY),
        )
    if case is not None and not isinstance(case, dict):
        raise InvalidInput(_("%(field)s: must be an object."), field="case")
    locked = _lock(ticket)
    if locked.status not in OPEN_STATUSES:
        raise Conflict(_("This ticket is resolved or closed: reopen it before creating an order."))
    # Read as the actor may: another store's sale or a name on file elsewhere stays hidden.
    purchase = selectors.purchase_for(locked, actor)
    data = {**selectors.prefill_case(locked, purchase, reader=actor), **(case or {})}
    parsed, decision = selectors.decide(data, prefix="case.")
    if remedy not in decision.remedies:
        raise InvalidInput(
            _("%(field)s: this decision does not grant “%(value)s” (it grants: %(allowed)s)."),
            field="remedy",
            value=remedy,
            allowed=", ".join(decision.remedies) or "—",
        )
    kind = ORDER_KIND_OF_REMEDY[remedy]
    open_orders = ServiceOrder.objects.filter(kind=kind, status__in=OPEN_ORDER_STATUSES)
    open_orders = (
        open_orders.filter(purchase=purchase) if purchase else open_orders.filter(ticket=locked)
    )
    if (already := open_orders.select_related("ticket").order_by("id").first()) is not None:
        raise Conflict(
            _(
                "An open %(kind)s order, %(order)s on ticket %(ticket)s, already exists for this"
                " product; finish or cancel it first."
            ),
            code="order_open",
            extra={"order": already.number, "ticket_id": already.ticket_id},
            kind=OrderKind(kind).label,
            order=already.number,
            ticket=already.ticket.number,
        )
    symptom = clean.text(symptom, "symptom", required=False, max_length=100)
    note = clean.text(note, "note", required=False, max_length=MAX_TEXT)
    charge = Decimal("0.00")
    if remedy == "trade_in":
        charge = decision.depreciation_fee
    elif remedy == "paid_repair" and fee not in (None, ""):
        charge = clean.money(fee, "fee")
    order = ServiceOrder.objects.create(
        ticket=locked,
        purchase=purchase,
        store_id=locked.store_id,
        kind=kind,
        remedy=remedy,
        free=remedy in ("exchange", "repair")
        or (remedy == "return" and decision.depreciation_fee == 0),
        price=parsed.price,
        refund=decision.refund if kind == OrderKind.RETURN else None,
        depreciation_fee=decision.depreciation_fee
        if remedy in ("return", "trade_in")
        else Decimal("0.00"),
        fee=charge,
        symptom=symptom,
        case=data,
        decision=decision.to_dict(),
        note=note,
        created_by=actor,
    )
    record_event(
        locked,
        "order_created",
        actor,
        body=gettext("%(kind)s order %(number)s created (%(remedy)s). Rules: %(rules)s.")
        % {
            "kind": order.get_kind_display(),
            "number": order.number,
            "remedy": REMEDY_LABELS[remedy],
            "rules": "、".join(hit.title for hit in decision.rules),
        },
        order=order.pk,
        number=order.number,
        kind=kind,
        remedy=remedy,
        status=order.status,
        refund=_amount(order.refund),
        depreciation_fee=_amount(order.depreciation_fee),
        fee=_amount(order.fee),
        rules=list(decision.rule_ids),
        recommended=decision.recommended,
    )
    return order


def _record_for(purchase) -> WarrantyRecord | None:
    if purchase is None:
        return None
    record, _created = WarrantyRecord.objects.select_for_update(of=("self",)).get_or_create(
        purchase=purchase
    )
    return record


@transaction.atomic
def change_order_status(
    *,
    actor,
    order: ServiceOrder,
    status: str,
    note: str = "",
    outcome: str | None = None,
    repair_days=None,
    parts_wait_days=None,
    fee=None,
) -> ServiceOrder:
    """Move an order along requested → approved → in progress → done (or cancelled).

    Finishing writes what 三包 must remember on the purchase: a repair adds its days in repair
    and waiting for parts to the period (and a repair "not fixed" counts towards R-2REPAIR);
    an exchange starts a new full period from today (R-RESTART); a return is recorded."""
    _require(actor, "tickets.status", _("Your role may not change after-sales orders."))
    selectors.require_own_job(actor, order.ticket)
    if status not in OrderStatus.values:
        raise InvalidInput(
            _("%(field)s: “%(value)s” is not one of: %(allowed)s."),
            field="status",
            value=str(status)[:30],
            allowed=", ".join(OrderStatus.values),
        )
    locked_ticket = _lock(order.ticket)
    locked = (
        ServiceOrder.objects.select_for_update(of=("self",))
        .select_related("purchase__category")
        .get(pk=order.pk)
    )
    return _move(
        actor,
        locked_ticket,
        locked,
        status,
        note=note,
        outcome=outcome,
        repair_days=repair_days,
        parts_wait_days=parts_wait_days,
        fee=fee,
    )


def _move(
    actor,
    ticket,
    order,
    status,
    *,
    note="",
    outcome=None,
    repair_days=None,
    parts_wait_days=None,
    fee=None,
    via_visit=None,
) -> ServiceOrder:
    """The transition itself, inside the caller's transaction with ticket and order locked."""
    previous = order.status
    if status == previous:
        raise Conflict(_("The order is already “%(status)s”."), status=OrderStatus(status).label)
    if status not in ORDER_TRANSITIONS[previous]:
        raise Conflict(
            _("An order that is “%(current)s” cannot become “%(target)s”."),
            current=OrderStatus(previous).label,
            target=OrderStatus(status).label,
        )
    finishing_repair = status == OrderStatus.DONE and order.kind == OrderKind.REPAIR
    if outcome and not finishing_repair:
        raise InvalidInput(
            _("%(field)s: an outcome is given only when a repair order is done."), field="outcome"
        )
    note = clean.text(note, "note", required=False, max_length=MAX_TEXT)
    now, today = timezone.now(), timezone.localdate()
    fields = ["status", "updated_at"]
    data = {}
    if status == OrderStatus.IN_PROGRESS:
        order.started_at = now
        fields.append("started_at")
    if status == OrderStatus.DONE:
        order.finished_at = now
        fields.append("finished_at")
        record = _record_for(order.purchase)
        if order.kind == OrderKind.REPAIR:
            if outcome not in RepairOutcome.values:
                raise InvalidInput(
                    _("%(field)s: say whether the repair fixed the fault (fixed or not_fixed)."),
                    field="outcome",
                )
            waited = (
                0 if parts_wait_days in (None, "") else _days(parts_wait_days, "parts_wait_days")
            )
            if repair_days in (None, ""):
                began = timezone.localdate(order.started_at) if order.started_at else today
                repair_days = max((today - began).days - waited, 0)
            order.outcome, order.repair_days, order.parts_wait_days = (
                outcome,
                _days(repair_days, "repair_days"),
                waited,
            )
            fields += ["outcome", "repair_days", "parts_wait_days"]
            if fee not in (None, ""):
                order.fee = clean.money(fee, "fee")
                fields.append("fee")
            if record is not None:
                record.repair_days += order.repair_days
                record.parts_wait_days += order.parts_wait_days
                record.save(update_fields=["repair_days", "parts_wait_days", "updated_at"])
            data.update(
                outcome=outcome,
                repair_days=order.repair_days,
                parts_wait_days=order.parts_wait_days,
            )
        elif order.kind == OrderKind.EXCHANGE:
            category = (
                order.purchase.category.code
                if order.purchase
                else order.case.get("category", "other")
            )
            warranty = warranty_after_exchange(today, terms_for(category))
            order.exchanged_on = today
            order.new_warranty_start, order.new_warranty_end = warranty.start, warranty.end
            order.new_main_parts_end = warranty.main_parts_end
            fields += [
                "exchanged_on",
                "new_warranty_start",
                "new_warranty_end",
                "new_main_parts_end",
            ]
            if record is not None:
                # A new unit: its period starts today and the old unit's repair history is done with.
                record.exchanged_on, record.repair_days, record.parts_wait_days = today, 0, 0
                record.warranty_start, record.warranty_end = warranty.start, warranty.end
                record.main_parts_end = warranty.main_parts_end
                record.save()
            data.update(exchanged_on=today.isoformat(), warranty=warranty.to_dict())
        elif record is not None:
            record.returned_on = today
            record.save(update_fields=["returned_on", "updated_at"])
            data.update(returned_on=today.isoformat(), refund=_amount(order.refund))
    order.status = status
    order.save(update_fields=fields)
    body = gettext("%(kind)s order %(number)s: %(previous)s → %(status)s.") % {
        "kind": order.get_kind_display(),
        "number": order.number,
        "previous": OrderStatus(previous).label,
        "status": OrderStatus(status).label,
    }
    if note:
        body = f"{body}\n{note}"
    record_event(
        ticket,
        "order_status",
        actor,
        body=body,
        order=order.pk,
        number=order.number,
        kind=order.kind,
        previous=previous,
        status=status,
        visit=via_visit,
        **data,
    )
    if (
        order.kind == OrderKind.REPAIR
        and order.outcome == RepairOutcome.NOT_FIXED
        and status == OrderStatus.DONE
    ):
        _suggest_exchange(actor, ticket, order.purchase, order.symptom)
    return order


def _suggest_exchange(actor, ticket, purchase, symptom: str) -> TicketEvent | None:
    """R-2REPAIR: after the second repair of the same fault that did not fix it, put the exchange
    on the ticket's timeline, with the decision the records now give."""
    if purchase is None:
        return None
    record = selectors.warranty_record(purchase)
    failures = selectors.failed_repairs_of(
        purchase, symptom, since=record.exchanged_on if record else None
    )
    if failures < 2:
        return None
    case = {
        **selectors.prefill_case(ticket, purchase, today=timezone.localdate()),
        "failed_repairs": failures,
        "request_date": timezone.localdate().isoformat(),
    }
    try:
        _case, decision = selectors.decide(case)
    except InvalidInput:
        decision = None  # the records alone do not make a valid case (e.g. no category terms)
    fired = decision is not None and "R-2REPAIR" in decision.rule_ids
    body = gettext(
        "Repaired %(n)s times for the same fault (%(symptom)s) and still not fixed: offer an exchange of "
        "the same model."
    ) % {"n": failures, "symptom": symptom or "—"}
    if decision is not None and not fired:
        body = gettext(
            "Repaired %(n)s times for the same fault (%(symptom)s) and still not fixed, but the exchange "
            "rule does not apply (outside the period or no proof of purchase): see the decision."
        ) % {"n": failures, "symptom": symptom or "—"}
    return record_event(
        ticket,
        "exchange_suggested",
        actor,
        body=body,
        purchase=purchase.pk,
        symptom=symptom,
        failed_repairs=failures,
        applies=fired,
        recommended=decision.recommended if decision else None,
        rules=list(decision.rule_ids) if decision else [],
    )


# --------------------------------------------------------------------------- field service


def _technician(username_or_staff, field: str = "technician") -> Staff:
    if isinstance(username_or_staff, Staff):
        return username_or_staff
    staff = (
        Staff.objects.select_related("user")
        .filter(user__username=str(username_or_staff or "")[:150], user__is_active=True)
        .first()
    )
    if staff is None:
        raise InvalidInput(
            _("%(field)s: no active colleague called “%(value)s”."),
            field=field,
            value=str(username_or_staff or "")[:40],
        )
    return staff


def _check_slot(date, window, *, today) -> tuple[datetime.date, str]:
    if isinstance(date, str):
        try:
            date = datetime.date.fromisoformat(date)
        except ValueError:
            raise InvalidInput(
                _("%(field)s: must be a date like 2026-03-01."), field="date"
            ) from None
    if not isinstance(date, datetime.date):
        raise InvalidInput(_("%(field)s: must be a date like 2026-03-01."), field="date")
    if date < today:
        raise InvalidInput(_("%(field)s: the appointment is in the past."), field="date")
    if window not in VisitWindow.values:
        raise InvalidInput(
            _("%(field)s: “%(value)s” is not one of: %(allowed)s."),
            field="window",
            value=str(window)[:20],
            allowed=", ".join(VisitWindow.values),
        )
    return date, window


def _check_technician(staff: Staff, category, store, date, window, *, exclude_visit=None) -> None:
    """Only a technician with the skill for the category, serving the store, free in the slot."""
    eligible = selectors.technicians_for(category, store).filter(staff=staff).exists()
    if not eligible:
        raise InvalidInput(
            _(
                "%(field)s: %(name)s is not a technician with the skill for %(category)s serving "
                "store %(store)s."
            ),
            field="technician",
            name=staff.display_name,
            category=str(category),
            store=store.code,
        )
    busy = FieldVisit.objects.filter(
        technician=staff, date=date, window=window, status=VisitStatus.SCHEDULED
    )
    if exclude_visit is not None:
        busy = busy.exclude(pk=exclude_visit.pk)
    if busy.exists():
        raise Conflict(
            _("%(name)s already has a visit in that slot; pick another slot or technician."),
            field="window",
            name=staff.display_name,
        )


def _save_visit(visit, **kw):
    """Save, turning a lost race for the slot (the unique constraint) into the same 409."""
    try:
        with transaction.atomic():
            visit.save(**kw)
    except IntegrityError:
        raise Conflict(
            _("%(name)s already has a visit in that slot; pick another slot or technician."),
            field="window",
            name=visit.technician.display_name,
        ) from None


@transaction.atomic
def dispatch_visit(
    *,
    actor,
    ticket: Ticket,
    kind: str,
    date,
    window: str,
    technician,
    order_id=None,
    category: str | None = None,
    symptom: str = "",
) -> FieldVisit:
    """Book a technician for an on-site visit in an appointment slot (派工).

    The category comes from the repair order's or the ticket's purchase (or is named); a repair
    visit for an approved repair order puts that order in progress."""
    _require(actor, "tickets.assign", _("Your role may not dispatch technicians."))
    if kind not in VisitKind.values:
        raise InvalidInput(
            _("%(field)s: “%(value)s” is not one of: %(allowed)s."),
            field="kind",
            value=str(kind)[:30],
            allowed=", ".join(VisitKind.values),
        )
    locked = _lock(ticket)
    if locked.status not in OPEN_STATUSES:
        raise Conflict(
            _("This ticket is resolved or closed: reopen it before dispatching a technician.")
        )
    date, window = _check_slot(date, window, today=timezone.localdate())
    order = None
    if order_id not in (None, ""):
        order = (
            ServiceOrder.objects.select_for_update(of=("self",))
            .filter(pk=order_id, ticket=locked)
            .first()
        )
        if order is None:
            raise InvalidInput(_("%(field)s: no such order on this ticket."), field="order_id")
        if order.kind != OrderKind.REPAIR or kind != VisitKind.REPAIR:
            raise InvalidInput(
                _("%(field)s: only an on-site repair visit carries out a repair order."),
                field="order_id",
            )
        if order.status not in (OrderStatus.APPROVED, OrderStatus.IN_PROGRESS):
            raise Conflict(_("Approve the repair order before dispatching a technician for it."))
    purchase = order.purchase if order else selectors.purchase_for(locked)
    if category:
        category_obj = ProductCategory.objects.filter(code=category).first()
        if category_obj is None:
            raise InvalidInput(
                _("%(field)s: unknown product category “%(value)s”."),
                field="category",
                value=str(category)[:40],
            )
    elif purchase is not None:
        category_obj = purchase.category
    else:
        raise InvalidInput(
            _("%(field)s: name the product category (no purchase on file)."), field="category"
        )
    staff = _technician(technician)
    _check_technician(staff, category_obj, locked.store, date, window)
    visit = FieldVisit(
        ticket=locked,
        order=order,
        purchase=purchase,
        category=category_obj,
        store_id=locked.store_id,
        kind=kind,
        technician=staff,
        date=date,
        window=window,
        created_by=actor,
        symptom=clean.text(
            symptom or (order.symptom if order else ""), "symptom", required=False, max_length=100
        ),
    )
    _save_visit(visit)
    record_event(
        locked,
        "visit_scheduled",
        actor,
        body=gettext("%(kind)s booked: %(name)s, %(date)s %(window)s.")
        % {
            "kind": visit.get_kind_display(),
            "name": staff.display_name,
            "date": date.isoformat(),
            "window": visit.get_window_display(),
        },
        visit=visit.pk,
        kind=kind,
        technician=staff.user.username,
        date=date.isoformat(),
        window=window,
        order=order.pk if order else None,
    )
    if order is not None and order.status == OrderStatus.APPROVED:
        _move(actor, locked, order, OrderStatus.IN_PROGRESS, via_visit=visit.pk)
    return visit


def _may_work_visit(actor, visit) -> None:
    if visit.technician.user_id == getattr(actor, "pk", None) or can(actor, "tickets.assign"):
        return
    raise Forbidden(_("Only the visit's technician or a dispatcher may do this."))


@transaction.atomic
def technician_on_the_way(*, actor, visit: FieldVisit) -> FieldVisit:
    """The technician sets off (师傅已出发): a public line on the ticket, which the customer
    channels turn into a message so the customer expects the call at the door."""
    _may_work_visit(actor, visit)
    ticket, locked = _lock_visit(visit)
    record_event(
        ticket,
        "visit_on_the_way",
        actor,
        public=True,
        body=gettext("The technician %(name)s is on the way.")
        % {"name": locked.technician.display_name},
        visit=locked.pk,
    )
    return locked


def _lock_visit(visit) -> tuple[Ticket, FieldVisit]:
    ticket = _lock(visit.ticket)
    locked = (
        FieldVisit.objects.select_for_update(of=("self",))
        .select_related("technician__user", "order__purchase__category", "category")
        .get(pk=visit.pk)
    )
    if locked.status != VisitStatus.SCHEDULED:
        raise Conflict(
            _("This visit is already “%(status)s”."), status=VisitStatus(locked.status).label
        )
    return ticket, locked


@transaction.atomic
def reschedule_visit(
    *, actor, visit: FieldVisit, date, window: str, reason: str, technician=None
) -> FieldVisit:
    """Move a visit to another slot (and maybe another technician); the change and its reason
    are kept (改约)."""
    _may_work_visit(actor, visit)
    reason = clean.text(reason, "reason", required=False, max_length=200)
    if not reason:
        raise InvalidInput(_("%(field)s: this field is required."), field="reason")
    ticket, locked = _lock_visit(visit)
    date, window = _check_slot(date, window, today=timezone.localdate())
    staff = _technician(technician) if technician else locked.technician
    if (date, window, staff.pk) == (locked.date, locked.window, locked.technician_id):
        raise Conflict(_("That is the visit's current slot and technician."))
    _check_technician(staff, locked.category, ticket.store, date, window, exclude_visit=locked)
    VisitReschedule.objects.create(
        visit=locked,
        previous_date=locked.date,
        previous_window=locked.window,
        previous_technician=locked.technician,
        date=date,
        window=window,
        technician=staff,
        reason=reason,
        actor=actor,
    )
    previous = {
        "date": locked.date.isoformat(),
        "window": locked.window,
        "technician": locked.technician.user.username,
    }
    locked.date, locked.window, locked.technician = date, window, staff
    locked.reschedules += 1
    _save_visit(locked, update_fields=["date", "window", "technician", "reschedules"])
    record_event(
        ticket,
        "visit_rescheduled",
        actor,
        body=gettext("Visit moved to %(date)s %(window)s (%(name)s): %(reason)s")
        % {
            "date": date.isoformat(),
            "window": locked.get_window_display(),
            "name": staff.display_name,
            "reason": reason,
        },
        visit=locked.pk,
        previous=previous,
        date=date.isoformat(),
        window=window,
        technician=staff.user.username,
        reason=reason,
    )
    return locked


def _parts(parts) -> list[dict]:
    """Parts used as [{"name": ..., "quantity": n}], from a list or from lines "name × n"."""
    if parts in (None, ""):
        return []
    if isinstance(parts, str):
        rows = []
        for line in parts.splitlines():
            line = line.strip()
            if not line:
                continue
            name, _sep, qty = line.replace("×", "x").replace("*", "x").rpartition("x")
            if name.strip() and qty.strip().isdigit():
                rows.append({"name": name.strip(), "quantity": int(qty.strip())})
            else:
                rows.append({"name": line, "quantity": 1})
        parts = rows
    if not isinstance(parts, list) or len(parts) > 50:
        raise InvalidInput(_("%(field)s: a list of parts (at most 50)."), field="parts_used")
    cleaned = []
    for item in parts:
        name = item.get("name") if isinstance(item, dict) else None
        quantity = item.get("quantity", 1) if isinstance(item, dict) else None
        if (
            not isinstance(name, str)
            or not name.strip()
            or len(name) > 100
            or not isinstance(quantity, int)
            or isinstance(quantity, bool)
            or not 1 <= quantity <= 999
        ):
            raise InvalidInput(
                _("%(field)s: each part needs a name (up to 100 characters) and a quantity 1–999."),
                field="parts_used",
            )
        cleaned.append({"name": name.strip(), "quantity": quantity})
    return cleaned


@transaction.atomic
def record_visit(
    *,
    actor,
    visit: FieldVisit,
    outcome: str,
    diagnosis: str = "",
    arrived_at=None,
    parts_used=None,
    fee="0",
    customer_confirmed: bool = False,
    confirmed_by: str = "",
) -> FieldVisit:
    """The visit record (上门服务记录): arrival, diagnosis, parts, fee, outcome and the customer's
    confirmation. A repair visit for a repair order finishes that order with the outcome; a
    second failed repair of the same fault puts the exchange on the timeline (R-2REPAIR)."""
    _may_work_visit(actor, visit)
    if outcome not in VisitOutcome.values:
        raise InvalidInput(
            _("%(field)s: “%(value)s” is not one of: %(allowed)s."),
            field="outcome",
            value=str(outcome)[:30],
            allowed=", ".join(VisitOutcome.values),
        )
    ticket, locked = _lock_visit(visit)
    now = timezone.now()
    if isinstance(arrived_at, str) and arrived_at.strip():
        parsed = parse_datetime(arrived_at.strip())
        if parsed is None:
            raise InvalidInput(
                _("%(field)s: must be a time like 2026-03-01T10:30."), field="arrived_at"
            )
        arrived_at = parsed
    elif arrived_at in (None, "") and outcome != VisitOutcome.CUSTOMER_ABSENT:
        arrived_at = now
    if isinstance(arrived_at, datetime.datetime):
        if timezone.is_naive(arrived_at):
            arrived_at = timezone.make_aware(arrived_at)
        if arrived_at > now + datetime.timedelta(minutes=5):
            raise InvalidInput(
                _("%(field)s: the arrival time is in the future."), field="arrived_at"
            )
    elif arrived_at not in (None, ""):
        raise InvalidInput(
            _("%(field)s: must be a time like 2026-03-01T10:30."), field="arrived_at"
        )
    confirmed_by = clean.text(confirmed_by, "confirmed_by", required=False, max_length=50)
    if customer_confirmed and not confirmed_by:
        raise InvalidInput(
            _("%(field)s: write the name of the person who confirmed."), field="confirmed_by"
        )
    locked.arrived_at = arrived_at or None
    locked.diagnosis = clean.text(diagnosis, "diagnosis", required=False, max_length=MAX_TEXT)
    locked.parts_used = _parts(parts_used)
    locked.fee = clean.money(fee if fee not in (None, "") else "0", "fee")
    locked.outcome, locked.status, locked.finished_at = outcome, VisitStatus.DONE, now
    locked.customer_confirmed, locked.confirmed_by = bool(customer_confirmed), confirmed_by
    locked.save()
    record_event(
        ticket,
        "visit_recorded",
        actor,
        body=gettext("Visit recorded: %(outcome)s. %(diagnosis)s")
        % {"outcome": locked.get_outcome_display(), "diagnosis": locked.diagnosis},
        visit=locked.pk,
        outcome=outcome,
        fee=_amount(locked.fee),
        parts_used=locked.parts_used,
        customer_confirmed=locked.customer_confirmed,
        technician=locked.technician.user.username,
    )
    # A visit an outlet booked closes the outlet's job.
    OutletJob.objects.filter(visit=locked).update(status=OutletJobStatus.DONE)
    order = locked.order
    repaired = outcome in (VisitOutcome.FIXED, VisitOutcome.NOT_FIXED)
    if order is not None and repaired and order.status == OrderStatus.IN_PROGRESS:
        order = (
            ServiceOrder.objects.select_for_update(of=("self",))
            .select_related("purchase__category")
            .get(pk=order.pk)
        )
        _move(actor, ticket, order, OrderStatus.DONE, outcome=outcome, via_visit=locked.pk)
    elif order is None and locked.kind == VisitKind.REPAIR and outcome == VisitOutcome.NOT_FIXED:
        _suggest_exchange(actor, ticket, locked.purchase, locked.symptom)
    return locked


@transaction.atomic
def cancel_visit(*, actor, visit: FieldVisit, reason: str) -> FieldVisit:
    """Call a visit off (the slot becomes free again), with why."""
    _may_work_visit(actor, visit)
    reason = clean.text(reason, "reason", required=False, max_length=200)
    if not reason:
        raise InvalidInput(_("%(field)s: this field is required."), field="reason")
    ticket, locked = _lock_visit(visit)
    locked.status, locked.finished_at = VisitStatus.CANCELLED, timezone.now()
    locked.save(update_fields=["status", "finished_at"])
    # The outlet's job goes back to the outlet to book again.
    OutletJob.objects.filter(visit=locked).update(status=OutletJobStatus.DISPATCHED, visit=None)
    record_event(
        ticket,
        "visit_cancelled",
        actor,
        body=gettext("Visit on %(date)s cancelled: %(reason)s")
        % {"date": locked.date.isoformat(), "reason": reason},
        visit=locked.pk,
        reason=reason,
    )
    return locked
