"""The customer books a delivery or an installation (送货 / 安装预约) on the tracking page: free
slots in the store's area, confirm, reschedule, cancel. Seed 001 (八) 送货服务.

A slot is free when some technician who has the skill for the purchase's category and serves
the store is free in it; booking takes the first such technician (the database's one-visit-per-
slot constraint settles a race). The customer acts without an account: the ticket's private
tracking link is the key, so every write here is checked against that ticket. One transaction
and one public timeline event each."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.tickets.models import OPEN_STATUSES, TicketEvent
from kefu.tickets.timeline import lock_ticket, record_event

from . import selectors
from .models import FieldVisit, VisitKind, VisitReschedule, VisitStatus, VisitWindow

BOOKABLE = (VisitKind.DELIVERY, VisitKind.INSTALLATION)
DAYS_AHEAD = 14
EVENT_KINDS = ("visit_booked", "visit_rebooked", "visit_called_off", "visit_reminder")


def bookable_visits(ticket):
    """The customer's scheduled deliveries and installations on this ticket."""
    return FieldVisit.objects.filter(
        ticket=ticket, kind__in=BOOKABLE, status=VisitStatus.SCHEDULED
    ).select_related("technician")


def free_slots(ticket, *, days: int = DAYS_AHEAD, today=None) -> list[tuple[datetime.date, str]]:
    """Slots from tomorrow on in which some technician serving the store and the category is
    free. Two queries whatever the number of technicians."""
    purchase = selectors.purchase_for(ticket)
    if purchase is None:
        return []
    staff_ids = list(
        selectors.technicians_for(purchase.category, ticket.store).values_list(
            "staff_id", flat=True
        )
    )
    if not staff_ids:
        return []
    start = (today or timezone.localdate()) + datetime.timedelta(days=1)
    busy: dict[tuple, set] = {}
    for tech, date, window in FieldVisit.objects.filter(
        technician_id__in=staff_ids,
        status=VisitStatus.SCHEDULED,
        date__gte=start,
        date__lt=start + datetime.timedelta(days=days),
    ).values_list("technician_id", "date", "window"):
        busy.setdefault((date, window), set()).add(tech)
    return [
        (start + datetime.timedelta(days=i), w)
        for i in range(days)
        for w in VisitWindow.values
        if len(busy.get((start + datetime.timedelta(days=i), w), ())) < len(staff_ids)
    ]


def _slot(date, window) -> tuple[datetime.date, str]:
    if isinstance(date, str):
        try:
            date = datetime.date.fromisoformat(date)
        except ValueError:
            raise InvalidInput(
                _("%(field)s: must be a date like 2026-03-01."), field="date"
            ) from None
    if window not in VisitWindow.values or not isinstance(date, datetime.date):
        raise InvalidInput(_("%(field)s: choose one of the free slots."), field="slot")
    if date <= timezone.localdate():
        raise InvalidInput(_("%(field)s: book from tomorrow on."), field="slot")
    return date, window


def _free_technician(ticket, purchase, date, window, *, keep=None):
    technicians = selectors.technicians_for(
        purchase.category, ticket.store, date=date, window=window
    )
    if keep is not None and technicians.filter(staff_id=keep.pk).exists():
        return keep
    first = technicians.first()
    if first is None:
        raise Conflict(_("That slot has just been taken. Please choose another."))
    return first.staff


def _open_ticket(ticket):
    locked = lock_ticket(ticket, related=("store__region", "customer"))
    if locked.status not in OPEN_STATUSES:
        raise Conflict(_("This request is closed; please submit a new one."))
    return locked


@transaction.atomic
def book(*, ticket, kind: str, date, window: str) -> FieldVisit:
    """The customer books a delivery or an installation in a free slot."""
    if kind not in BOOKABLE:
        raise InvalidInput(_("%(field)s: delivery or installation."), field="kind")
    date, window = _slot(date, window)
    locked = _open_ticket(ticket)
    purchase = selectors.purchase_for(locked)
    if purchase is None:
        raise Conflict(_("We need your purchase on file first; please call our hotline."))
    if bookable_visits(locked).filter(kind=kind).exists():
        raise Conflict(_("You already have this appointment; reschedule it instead."))
    staff = _free_technician(locked, purchase, date, window)
    try:
        with transaction.atomic():
            visit = FieldVisit.objects.create(
                ticket=locked,
                purchase=purchase,
                category=purchase.category,
                store_id=locked.store_id,
                kind=kind,
                technician=staff,
                date=date,
                window=window,
            )
    except IntegrityError:
        raise Conflict(_("That slot has just been taken. Please choose another.")) from None
    record_event(
        locked,
        "visit_booked",
        None,
        public=True,
        body=gettext("You booked %(kind)s on %(date)s, %(window)s.")
        % {
            "kind": visit.get_kind_display(),
            "date": date.isoformat(),
            "window": visit.get_window_display(),
        },
        visit=visit.pk,
        kind=kind,
        date=date.isoformat(),
        window=window,
        technician=staff.user.username,
        by="customer",
    )
    return visit


def _customer_visit(ticket, visit_id) -> FieldVisit:
    visit = (
        FieldVisit.objects.select_for_update(of=("self",))
        .select_related("technician__user", "purchase__category")
        .filter(pk=visit_id, ticket=ticket, kind__in=BOOKABLE, status=VisitStatus.SCHEDULED)
        .first()
    )
    if visit is None:
        raise NotFound()
    return visit


@transaction.atomic
def reschedule(*, ticket, visit_id, date, window: str) -> FieldVisit:
    """The customer moves their appointment to another free slot (the same technician when free)."""
    date, window = _slot(date, window)
    locked = _open_ticket(ticket)
    visit = _customer_visit(locked, visit_id)
    if (date, window) == (visit.date, visit.window):
        raise Conflict(_("That is already your appointment."))
    staff = _free_technician(locked, visit.purchase, date, window, keep=visit.technician)
    VisitReschedule.objects.create(
        visit=visit,
        previous_date=visit.date,
        previous_window=visit.window,
        previous_technician=visit.technician,
        date=date,
        window=window,
        technician=staff,
        reason=gettext("Rescheduled by the customer"),
    )
    previous = {"date": visit.date.isoformat(), "window": visit.window}
    visit.date, visit.window, visit.technician = date, window, staff
    visit.reschedules += 1
    try:
        with transaction.atomic():
            visit.save(update_fields=["date", "window", "technician", "reschedules"])
    except IntegrityError:
        raise Conflict(_("That slot has just been taken. Please choose another.")) from None
    record_event(
        locked,
        "visit_rebooked",
        None,
        public=True,
        body=gettext("You moved %(kind)s to %(date)s, %(window)s.")
        % {
            "kind": visit.get_kind_display(),
            "date": date.isoformat(),
            "window": visit.get_window_display(),
        },
        visit=visit.pk,
        previous=previous,
        date=date.isoformat(),
        window=window,
        by="customer",
    )
    return visit


@transaction.atomic
def cancel(*, ticket, visit_id) -> FieldVisit:
    """The customer calls their appointment off; the slot is free again."""
    locked = _open_ticket(ticket)
    visit = _customer_visit(locked, visit_id)
    visit.status, visit.finished_at = VisitStatus.CANCELLED, timezone.now()
    visit.save(update_fields=["status", "finished_at"])
    record_event(
        locked,
        "visit_called_off",
        None,
        public=True,
        body=gettext("You cancelled %(kind)s on %(date)s.")
        % {"kind": visit.get_kind_display(), "date": visit.date.isoformat()},
        visit=visit.pk,
        by="customer",
    )
    return visit


def remind_tomorrows_bookings(today: datetime.date | None = None) -> int:
    """The day before a delivery or an installation, a public ``visit_reminder`` event on its
    ticket; the channels pipeline (channels/data/rules.v1.json) turns it into a message on the
    customer's own channel. Each appointment once per date (a rescheduled one is reminded
    again for its new date). Returns how many were reminded."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    due = FieldVisit.objects.filter(
        kind__in=BOOKABLE, status=VisitStatus.SCHEDULED, date=tomorrow
    ).values_list("pk", "ticket_id")
    reminded = 0
    for visit_id, ticket_id in due:
        with transaction.atomic():
            locked = lock_ticket(ticket_id, related=("customer",))
            if locked.status not in OPEN_STATUSES:
                continue
            visit = FieldVisit.objects.get(pk=visit_id)
            if visit.status != VisitStatus.SCHEDULED or visit.date != tomorrow:
                continue
            already = TicketEvent.objects.filter(
                ticket_id=ticket_id,
                kind="visit_reminder",
                data__visit=visit_id,
                data__date=tomorrow.isoformat(),
            ).exists()
            if already:
                continue
            record_event(
                locked,
                "visit_reminder",
                None,
                public=True,
                touch=False,
                body=gettext("Reminder: %(kind)s tomorrow, %(date)s, %(window)s.")
                % {
                    "kind": visit.get_kind_display(),
                    "date": tomorrow.isoformat(),
                    "window": visit.get_window_display(),
                },
                visit=visit_id,
                date=tomorrow.isoformat(),
            )
            reminded += 1
    return reminded
