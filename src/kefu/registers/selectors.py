"""Reads of the store registers, each within the reader's scope (store, region, all)."""

import datetime

from django.db.models import Count, QuerySet

from kefu.org.models import Staff
from kefu.org.selectors import can, in_scope, staff_of

from . import rules
from .models import EtiquetteCheck, LostItem, TrainingRecord, VoiceNote


def lost_items(user) -> QuerySet:
    if not can(user, "registers.lost_found"):
        return LostItem.objects.none()
    rows = LostItem.objects.select_related("store")
    return in_scope(rows, user, store_field="store", region_field="store__region")


def people(user) -> QuerySet:
    """The staff whose training and etiquette the user keeps: the stores of their scope."""
    if not can(user, "registers.training"):
        return Staff.objects.none()
    rows = Staff.objects.select_related("user", "store").filter(
        user__is_active=True, store__isnull=False
    )
    return in_scope(rows, user, store_field="store", region_field="store__region").order_by(
        "store__code", "display_name"
    )


def trainings_of(person: Staff) -> QuerySet:
    return TrainingRecord.objects.filter(staff=person)


def checks_of(person: Staff, *, days: int = 30) -> QuerySet:
    return EtiquetteCheck.objects.filter(staff=person).order_by("-day")[:days]


def checks_on(user, day: datetime.date) -> dict[int, EtiquetteCheck]:
    return {
        c.staff_id: c
        for c in EtiquetteCheck.objects.filter(day=day, staff__in=people(user).values("pk"))
    }


def voice_notes(user) -> QuerySet:
    """The notes of the user's scope; store staff see their store's (notes without a store, by
    the CS department, are seen by chain-wide readers)."""
    if not can(user, "registers.voice"):
        return VoiceNote.objects.none()
    rows = VoiceNote.objects.select_related("store", "product_model", "author__staff")
    staff = staff_of(user)
    if staff is not None and staff.scope == "all":
        return rows
    return in_scope(rows, user, store_field="store", region_field="store__region")


def voice_counts(user, *, since: datetime.datetime | None = None) -> list[dict]:
    """How often each theme (and product model) came up, for the reports: rows of theme,
    label, model (code or ""), count; most frequent first. Analytics may call this."""
    rows = voice_notes(user)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return count_themes(rows)


def count_themes(rows: QuerySet) -> list[dict]:
    """Voice-of-customer notes counted by theme and product model, most frequent first: rows
    of theme, label, model (code or ""), count. The reports count their period with this."""
    labels = rules.load()["voice_themes"]
    counted = (
        rows.order_by()
        .values("theme", "product_model__code")
        .annotate(count=Count("id"))
        .order_by("-count", "theme", "product_model__code")
    )
    return [
        {
            "theme": r["theme"],
            "label": labels.get(r["theme"], r["theme"]),
            "model": r["product_model__code"] or "",
            "count": r["count"],
        }
        for r in counted
    ]
