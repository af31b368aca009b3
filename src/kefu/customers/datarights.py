"""The customer's data rights under PIPL (个人信息保护法): export everything held about a
customer, erase (anonymise) a customer, and retention (anonymise customers long inactive).

Customers sit low in the layers; tickets, after-sales orders and feedback that hold data about
a customer live above. Each of those apps registers a *holder* here from its
``AppConfig.ready()``: how to export what it holds about a customer, and how to scrub it."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu import clean
from kefu.errors import Forbidden, InvalidInput
from kefu.org.selectors import can

from .models import Customer, Gender, PiiReveal

ERASED_NAME = "已匿名"  # what an erased customer is called from then on, in every language


@dataclass(frozen=True)
class Holder:
    """An app holding data about customers: ``export(customer) -> JSON``, ``erase(customer,
    actor, reason) -> {what: count}`` (scrubs free text and contact data, keeps statistics)."""

    name: str
    export: Callable
    erase: Callable


HOLDERS: list[Holder] = []


def register(name: str, *, export: Callable, erase: Callable) -> None:
    """Add an app's holder (once per name, however often ready() runs)."""
    if all(h.name != name for h in HOLDERS):
        HOLDERS.append(Holder(name, export, erase))


def _iso(value):
    return value.isoformat() if value else None


def profile(customer: Customer) -> dict:
    return {
        "id": customer.pk,
        "name": customer.name,
        "gender": customer.gender,
        "mobile": customer.phone or "",
        "email": customer.email,
        "address": customer.address,
        "is_vip": customer.is_vip,
        "special_requirements": customer.special_requirements,
        "consent_contact": customer.consent_contact,
        "consent_marketing": customer.consent_marketing,
        "home_store": customer.home_store.code if customer.home_store_id else None,
        "created_at": _iso(customer.created_at),
        "updated_at": _iso(customer.updated_at),
        "erased_at": _iso(customer.erased_at),
    }


def purchases(customer: Customer) -> list[dict]:
    return [
        {
            "id": p.pk,
            "store": p.store.code if p.store_id else None,
            "category": p.category.code,
            "model_name": p.model_name,
            "serial": p.serial,
            "sale_date": _iso(p.sale_date),
            "invoice_number": p.invoice_number,
            "has_warranty_card": p.has_warranty_card,
            "production_date": _iso(p.production_date),
            "price": f"{p.price:.2f}",
            "is_sample_unit": p.is_sample_unit,
            "sales_channel": p.sales_channel,
        }
        for p in customer.purchases.select_related("store", "category").order_by("sale_date", "id")
    ]


def audit_entries(customer: Customer) -> list[dict]:
    return [
        {
            "at": _iso(r.created_at),
            "user": r.user.get_username(),
            "fields": r.fields,
            "context": r.context,
        }
        for r in customer.pii_reveals.select_related("user").order_by("id")
    ]


def export_customer(*, actor, customer: Customer) -> dict:
    """Everything held about the customer, as JSON (PIPL art. 45). Audited: the export itself
    is an entry of the customer's audit log."""
    if not can(actor, "customers.export"):
        raise Forbidden(_("Your role may not export a customer's data."))
    data = {
        "exported_at": timezone.now().isoformat(),
        "profile": profile(customer),
        "purchases": purchases(customer),
    }
    for holder in HOLDERS:
        data[holder.name] = holder.export(customer)
    PiiReveal.objects.create(
        user=actor, customer=customer, fields="export", context=f"export:{customer.pk}"
    )
    data["audit"] = audit_entries(customer)
    return data


def _scrub_customer(customer: Customer) -> None:
    customer.name = ERASED_NAME
    customer.phone = None
    customer.email = ""
    customer.address = ""
    customer.special_requirements = ""
    customer.gender = Gender.UNKNOWN
    customer.consent_contact = False
    customer.consent_marketing = False
    customer.erased_at = timezone.now()
    customer.save()


@transaction.atomic
def erase_customer(*, actor, customer: Customer, confirm: bool, reason: str) -> dict:
    """Anonymise the customer, irreversibly (PIPL art. 47): name, mobile, e-mail and address
    on file, the free text of their tickets' timelines, surveys, calls and cards, and the search
    index are scrubbed. Counts, times, scores and the money of orders and purchases (what
    accounting must keep) stay. ``confirm`` must be true; ``actor`` None is the retention job.
    Audited: a PiiReveal row "erase" and an "erased" event on every ticket."""
    if actor is not None and not can(actor, "customers.erase"):
        raise Forbidden(_("Your role may not erase a customer's data."))
    if confirm is not True:
        raise InvalidInput(
            _("%(field)s: erasing cannot be undone; send confirm: true to proceed."),
            field="confirm",
        )
    reason = clean.text(reason, "reason", max_length=500)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.erased_at is not None:
        return {"customer": 0}
    _scrub_customer(customer)
    counts = {"customer": 1}
    for holder in HOLDERS:
        counts.update(holder.erase(customer, actor, reason) or {})
    if actor is not None:
        PiiReveal.objects.create(
            user=actor, customer=customer, fields="erase", context=f"erase:{reason}"[:100]
        )
    return counts


# ------------------------------------------------------------------ retention


def retention_years() -> int:
    return int(getattr(settings, "KEFU_RETENTION_YEARS", 3))


def inactive_customers(years: int | None = None, *, now=None):
    """Customers not yet erased with no activity (record change, purchase, ticket) for
    ``years`` years."""
    years = retention_years() if years is None else years
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=365 * years)
    return (
        Customer.objects.filter(erased_at__isnull=True, updated_at__lt=cutoff)
        .annotate(
            last_ticket=Max("tickets__updated_at"), last_purchase=Max("purchases__created_at")
        )
        .filter(Q(last_ticket__isnull=True) | Q(last_ticket__lt=cutoff))
        .filter(Q(last_purchase__isnull=True) | Q(last_purchase__lt=cutoff))
        .order_by("pk")
    )


def apply_retention(*, years: int | None = None, dry_run: bool = False) -> dict:
    """Anonymise every customer inactive for ``years`` (default KEFU_RETENTION_YEARS). Idempotent:
    an erased customer is never counted again. ``dry_run`` changes nothing and reports."""
    years = retention_years() if years is None else years
    ids = list(inactive_customers(years).values_list("pk", flat=True))
    report = {"years": years, "dry_run": dry_run, "customers": len(ids), "ids": ids[:1000]}
    if dry_run:
        return report
    for pk in ids:
        erase_customer(
            actor=None,
            customer=Customer(pk=pk),
            confirm=True,
            reason=f"retention: no activity for {years} years",
        )
    return report
