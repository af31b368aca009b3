"""Writes to the store registers: each one transaction, each checked against the actor's right
and scope (out of scope: NotFound)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu import clean
from kefu.catalog.models import ProductModel
from kefu.errors import Conflict, Forbidden, InvalidInput, NotFound
from kefu.org.models import Staff, Store
from kefu.org.selectors import can, staff_of, store_in_scope

from . import rules, selectors
from .models import (
    Disposal,
    EtiquetteCheck,
    HandedTo,
    LostItem,
    LostItemStatus,
    TrainingRecord,
    TrainingResult,
    VoiceNote,
)


def _require(actor, capability: str) -> None:
    if not can(actor, capability):
        raise Forbidden(_("You may not do this."))


def _store(actor, store) -> Store:
    """The store a register row belongs to: the actor's own, or one of their scope."""
    staff = staff_of(actor)
    if store in (None, "") and staff is not None and staff.store_id:
        return staff.store
    store = store if isinstance(store, Store) else Store.objects.filter(pk=store).first()
    if store is None or not store_in_scope(actor, store):
        raise InvalidInput(_("%(field)s: choose a store of yours."), field="store")
    return store


# --------------------------------------------------------------------------- lost and found


@transaction.atomic
def record_found_item(
    *, actor, item, found_place, found_at, found_by, handed_to, handed_to_name, store=None
) -> LostItem:
    _require(actor, "registers.lost_found")
    if found_at is None or found_at > timezone.now() + datetime.timedelta(minutes=5):
        raise InvalidInput(_("%(field)s: a time that has passed."), field="found_at")
    return LostItem.objects.create(
        store=_store(actor, store),
        item=clean.text(item, "item", max_length=100),
        found_place=clean.text(found_place, "found_place", max_length=100),
        found_at=found_at,
        found_by=clean.text(found_by, "found_by", max_length=50),
        handed_to=clean.choice(handed_to, HandedTo, "handed_to"),
        handed_to_name=clean.text(handed_to_name, "handed_to_name", max_length=50),
        recorded_by=actor,
    )


def _kept(actor, item_id) -> LostItem:
    row = (
        selectors.lost_items(actor).select_for_update(of=("self",)).filter(pk=item_id).first()
        if str(item_id).isdigit()
        else None
    )
    if row is None:
        raise NotFound()
    if row.status != LostItemStatus.KEPT:
        raise Conflict(_("This item has already been claimed or disposed of."))
    return row


@transaction.atomic
def hand_back(*, actor, item_id, claimed_by, id_number) -> LostItem:
    """The owner claims the item; their identity document was checked and its number is kept
    masked only."""
    _require(actor, "registers.lost_found")
    row = _kept(actor, item_id)
    number = clean.text(id_number, "id_number", max_length=30)
    if len("".join(number.split())) < 8:
        raise InvalidInput(_("%(field)s: the claimant's ID number as checked."), field="id_number")
    row.claimed_by = clean.text(claimed_by, "claimed_by", max_length=50)
    row.claimant_id_masked = rules.mask_id_number(number)
    row.status, row.closed_at, row.closed_by = LostItemStatus.CLAIMED, timezone.now(), actor
    row.save()
    return row


@transaction.atomic
def dispose(*, actor, item_id, disposal, today=None) -> LostItem:
    """A manager disposes of an item nobody claimed within the keeping period."""
    _require(actor, "registers.lost_found.dispose")
    row = _kept(actor, item_id)
    today = today or timezone.localdate()
    if today <= row.keep_until:
        raise Conflict(
            _("Kept for its owner until %(date)s; dispose of it after that."),
            date=row.keep_until.isoformat(),
        )
    row.disposal = clean.choice(disposal, Disposal, "disposal")
    row.status, row.closed_at, row.closed_by = LostItemStatus.DISPOSED, timezone.now(), actor
    row.save()
    return row


def remind_overdue_items(today=None) -> int:
    """The daily sweep: each store's managers hear once of the items past their keeping period
    (a notification in the desk's bell). Returns how many items were reminded of."""
    from kefu.notifications.services import notify

    today = today or timezone.localdate()
    keep = rules.load()["lost_found"]["keep_days"]
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=keep), datetime.time.min)
    )
    due = list(
        LostItem.objects.filter(
            status=LostItemStatus.KEPT, found_at__lt=cutoff, reminded_on__isnull=True
        ).select_related("store")
    )
    by_store: dict[int, list[LostItem]] = {}
    for row in due:
        by_store.setdefault(row.store_id, []).append(row)
    for store_id, rows in by_store.items():
        managers = list(
            Staff.objects.filter(
                store_id=store_id, role="store_manager", user__is_active=True
            ).values_list("user_id", flat=True)
        )
        with transaction.atomic():
            notify(
                managers,
                kind="lost_found_overdue",
                text=gettext(
                    "%(count)s found items are past their keeping period: dispose of them."
                )
                % {"count": len(rows)},
            )
            LostItem.objects.filter(pk__in=[r.pk for r in rows]).update(reminded_on=today)
    return len(due)


# --------------------------------------------------------------------------- training


def _person(actor, staff_id) -> Staff:
    person = (
        selectors.people(actor).filter(pk=staff_id).first() if str(staff_id).isdigit() else None
    )
    if person is None:
        raise NotFound()
    return person


@transaction.atomic
def record_training(
    *, actor, staff_id, course, held_on, trainer, result, note=""
) -> TrainingRecord:
    _require(actor, "registers.training")
    person = _person(actor, staff_id)
    if not isinstance(held_on, datetime.date) or held_on > timezone.localdate():
        raise InvalidInput(_("%(field)s: a date that has passed."), field="held_on")
    return TrainingRecord.objects.create(
        staff=person,
        course=clean.text(course, "course", max_length=100),
        held_on=held_on,
        trainer=clean.text(trainer, "trainer", max_length=50),
        result=clean.choice(result, TrainingResult, "result"),
        note=clean.text(note, "note", required=False, max_length=200),
        recorded_by=actor,
    )


@transaction.atomic
def tick_etiquette(*, actor, staff_id, met, day=None) -> EtiquetteCheck:
    """Today's check of one staff member: the items met (codes); a second tick the same day
    replaces the first."""
    _require(actor, "registers.training")
    person = _person(actor, staff_id)
    codes = [item["code"] for item in rules.etiquette_items()]
    unknown = [code for code in met if code not in codes]
    if unknown:
        raise InvalidInput(_("%(field)s: not an item of the checklist."), field="met")
    check, _created = EtiquetteCheck.objects.update_or_create(
        staff=person,
        day=day or timezone.localdate(),
        defaults={"met": [c for c in codes if c in met], "checked_by": actor},
    )
    return check


# --------------------------------------------------------------------------- voice of the customer


@transaction.atomic
def note_voice(*, actor, text, theme, product_model=None, store=None) -> VoiceNote:
    _require(actor, "registers.voice")
    themes = rules.load()["voice_themes"]
    if theme not in themes:
        raise InvalidInput(_("%(field)s: choose a theme."), field="theme")
    model = None
    if product_model not in (None, ""):
        model = ProductModel.objects.filter(code=str(product_model).strip()).first()
        if model is None:
            raise InvalidInput(_("%(field)s: no such product model."), field="product_model")
    staff = staff_of(actor)
    where = None
    if store not in (None, "") or (staff is not None and staff.store_id):
        where = _store(actor, store)
    return VoiceNote.objects.create(
        store=where,
        author=actor,
        product_model=model,
        theme=theme,
        text=clean.text(text, "text", max_length=500),
    )
