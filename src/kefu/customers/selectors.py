"""Reads of customers and purchases, always within the reader's scope."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from kefu.errors import NotFound
from kefu.org.selectors import staff_of

from . import names
from .models import Customer, PiiReveal, Purchase


def _tickets():
    # Tickets point at customers from the layer above; reach them through that relation
    # (Customer.tickets) rather than importing the tickets app.
    return Customer._meta.get_field("tickets").related_model


def customers_visible_to(user) -> QuerySet:
    """All customers for the CS department; for a store or region, those who bought, filed a
    ticket or were registered there."""
    staff = staff_of(user)
    customers = Customer.objects.all()
    if staff is None:
        return customers.none()
    if staff.scope == "all":
        return customers
    if staff.scope == "store":
        store_q = {"store_id": staff.store_id}
        home_q = Q(home_store_id=staff.store_id)
    else:
        store_q = {"store__region_id": staff.region_id}
        home_q = Q(home_store__region_id=staff.region_id)
    bought = Purchase.objects.filter(customer=OuterRef("pk"), **store_q)
    filed = _tickets().objects.filter(customer=OuterRef("pk"), **store_q)
    return customers.filter(home_q | Exists(bought) | Exists(filed))


def get_customer(user, customer_id) -> Customer:
    customer = customers_visible_to(user).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    return customer


def search_customers(user, q: str, *, limit: int = 25, offset: int = 0) -> QuerySet:
    """By full mobile number, its last four digits, name or name prefix, or pinyin prefix."""
    customers = customers_visible_to(user)
    q = (q or "").strip()
    if not q:
        return customers.order_by("-id")
    mobile = names.normalise_mobile(q)
    if mobile:
        return customers.filter(phone=mobile)
    if q.isdigit() and len(q) == 4:
        return customers.filter(phone_last4=q).order_by("-id")
    if q.isascii():
        latin = q.lower().replace(" ", "")
        return customers.filter(
            Q(name_pinyin__startswith=latin) | Q(name_initials__startswith=latin)
        ).order_by("name")
    return customers.filter(name__startswith=q).order_by("name")


def purchases_visible_to(user) -> QuerySet:
    """Purchases of customers the user may see."""
    return Purchase.objects.filter(customer__in=customers_visible_to(user).values("pk"))


def get_purchase(user, purchase_id) -> Purchase:
    purchase = (
        purchases_visible_to(user)
        .select_related("store", "category", "customer", "product_model")
        .filter(pk=purchase_id)
        .first()
    )
    if purchase is None:
        raise NotFound()
    return purchase


def reveal_contact(user, customer: Customer, *, context: str) -> dict:
    """The customer's full phone and address for a page the user is entitled to, logged."""
    PiiReveal.objects.create(
        user=user, customer=customer, fields="phone,address", context=context[:100]
    )
    return {"phone": customer.phone or "", "address": customer.address, "email": customer.email}
