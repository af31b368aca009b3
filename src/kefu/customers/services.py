"""Writes of customers and purchases."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu import clean, rows
from kefu.catalog.models import ProductCategory, ProductModel
from kefu.errors import Conflict, Forbidden, InvalidInput, NotFound
from kefu.org.models import Store
from kefu.org.selectors import can, staff_of, stores_for

from . import names
from .models import Customer, Gender, Purchase, SalesChannel
from .selectors import discloses


def clean_mobile(raw: str, *, field: str = "phone") -> str:
    phone = names.normalise_mobile(raw)
    if not phone:
        raise InvalidInput(
            _(
                "%(field)s: “%(value)s” is not a valid Chinese mobile number (11 digits, starting 13–19)."
            ),
            field=field,
            value=(raw or "")[:20],
        )
    return phone


def _clean_name(name: str, field: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("%(field)s: the customer's name is required."), field=field)
    if len(name) > 50:
        raise InvalidInput(_("%(field)s: the name is longer than 50 characters."), field=field)
    return name


def _clean_gender(gender: str | None, field: str) -> str:
    gender = gender or Gender.UNKNOWN
    if gender not in Gender.values:
        raise InvalidInput(_("%(field)s: gender must be male, female or unknown."), field=field)
    return gender


def find_or_create_customer(
    *,
    actor,
    name: str,
    phone: str,
    email: str = "",
    address: str = "",
    gender: str | None = None,
    store: Store | None = None,
    field_prefix: str = "customer.",
) -> Customer:
    """The customer with this mobile number, or a new one (a chain shares its customers, so a
    ticket anywhere links to the customer on file).

    Knowing a mobile number changes nothing on file: only a colleague for whom the customer is
    on file (selectors.discloses: home store, a purchase there, the CS department) with the
    ``customers.manage`` right fills in blank details; an anonymous portal form or another
    store never writes an e-mail, address or gender onto someone else's record."""
    phone = clean_mobile(phone, field=field_prefix + "phone")
    name = _clean_name(name, field_prefix + "name")
    gender = _clean_gender(gender, field_prefix + "gender")
    customer = rows.first(Customer, "m.phone = %s", [phone])
    if customer is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(
                    name=name,
                    phone=phone,
                    email=email or "",
                    address=address or "",
                    gender=gender,
                    home_store=store,
                )
        except IntegrityError:  # another request created the same number a moment ago
            customer = Customer.objects.get(phone=phone)
    if actor is None or not can(actor, "customers.manage") or not discloses(actor, customer):
        return customer
    changed = []
    for field, value in (("email", email), ("address", address)):
        if value and not getattr(customer, field):
            setattr(customer, field, value)
            changed.append(field)
    if gender != Gender.UNKNOWN and customer.gender == Gender.UNKNOWN:
        customer.gender = gender
        changed.append("gender")
    if changed:
        customer.save(
            update_fields=changed + ["updated_at", "name_pinyin", "name_initials", "phone_last4"]
        )
    return customer


@transaction.atomic
def create_customer(
    *,
    actor,
    name: str,
    phone: str,
    email: str = "",
    address: str = "",
    gender: str | None = None,
    is_vip: bool = False,
    consent_contact: bool = True,
    consent_marketing: bool = False,
) -> Customer:
    """Register a new customer. A mobile number already on file is refused (409 in the API)."""

    if not can(actor, "customers.manage"):
        raise Forbidden(_("Your role may not register customers."))
    phone = clean_mobile(phone)
    if Customer.objects.filter(phone=phone).exists():
        raise Conflict(_("A customer with this mobile number is already on file."), field="phone")
    staff = staff_of(actor)
    return Customer.objects.create(
        name=_clean_name(name, "name"),
        phone=phone,
        email=email or "",
        address=address or "",
        gender=_clean_gender(gender, "gender"),
        is_vip=is_vip,
        consent_contact=consent_contact,
        consent_marketing=consent_marketing,
        home_store_id=staff.store_id if staff else None,
    )


@transaction.atomic
def set_form_of_address(*, actor, customer: Customer, address_as: str) -> Customer:
    """An agent corrects how the customer is addressed (seed 000: 称“您”，姓 + 先生/女士).
    Replies, scripts, macros, SMS and 回访 use it from then on; empty goes back to the form
    computed from name and gender. The caller has checked scope (the customer was found
    through ``selectors.get_customer``)."""
    if not can(actor, "customers.manage"):
        raise Forbidden(_("Your role may not change customers."))
    if not discloses(actor, customer):
        # Known here only through a mobile number: what is on file is not this reader's to change.
        raise NotFound()
    customer.address_as = clean.text(address_as, "address_as", max_length=20, required=False)
    customer.save(update_fields=["address_as", "updated_at"])
    return customer


def set_special_requirements(*, actor, customer: Customer, text: str) -> Customer:
    """Note the customer's requirements and special requests (seed 001 2.2); empty clears
    them. The caller has checked scope (``selectors.get_customer``)."""
    if not can(actor, "customers.manage"):
        raise Forbidden(_("Your role may not change customers."))
    if not discloses(actor, customer):
        raise NotFound()
    customer.special_requirements = clean.text(
        text, "special_requirements", max_length=500, required=False
    )
    customer.save(update_fields=["special_requirements", "updated_at"])
    return customer


@transaction.atomic
def record_purchase(
    *,
    actor,
    customer: Customer,
    category: str,
    model_name: str,
    sale_date: datetime.date,
    price,
    store: str | None = None,
    serial: str = "",
    invoice_number: str = "",
    has_warranty_card: bool = True,
    production_date: datetime.date | None = None,
    is_sample_unit: bool = False,
    sales_channel: str = SalesChannel.STORE,
    product_model: str | None = None,
) -> Purchase:
    """Record what a customer bought: the facts a 三包 decision starts from."""
    if not can(actor, "customers.manage"):
        raise Forbidden(_("Your role may not record purchases."))
    category_obj = ProductCategory.objects.filter(code=category).first()
    if category_obj is None:
        raise InvalidInput(
            _("%(field)s: unknown product category “%(value)s”."), field="category", value=category
        )
    store_obj = None
    if store:
        store_obj = stores_for(actor).filter(code=store).first()
        if store_obj is None:
            raise InvalidInput(
                _("%(field)s: unknown store “%(value)s”, or not one of yours."),
                field="store",
                value=store,
            )
    if sales_channel not in SalesChannel.values:
        raise InvalidInput(_("%(field)s: must be store, online or phone."), field="sales_channel")
    today = timezone.localdate()
    if sale_date > today:
        raise InvalidInput(_("%(field)s: the sale date is in the future."), field="sale_date")
    if production_date and production_date > sale_date:
        raise InvalidInput(
            _("%(field)s: the production date is after the sale date."), field="production_date"
        )
    model_obj = None
    if product_model:
        model_obj = ProductModel.objects.filter(code=product_model, category=category_obj).first()
        if model_obj is None:
            raise InvalidInput(
                _("%(field)s: unknown model “%(value)s” in this category."),
                field="product_model",
                value=product_model,
            )
    model_name = (model_name or (model_obj.name if model_obj else "")).strip()
    if not model_name:
        raise InvalidInput(_("%(field)s: the product model is required."), field="model_name")
    return Purchase.objects.create(
        customer=customer,
        store=store_obj,
        category=category_obj,
        product_model=model_obj,
        model_name=model_name[:100],
        serial=(serial or "")[:60],
        sale_date=sale_date,
        invoice_number=(invoice_number or "").strip()[:40],
        has_warranty_card=has_warranty_card,
        production_date=production_date,
        price=clean.money(price, "price"),
        is_sample_unit=is_sample_unit,
        sales_channel=sales_channel,
    )
