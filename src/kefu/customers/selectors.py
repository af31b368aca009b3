"""Reads of customers and purchases, always within the reader's scope."""

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.utils.translation import gettext as _

from kefu import rows
from kefu.errors import NotFound
from kefu.org.selectors import can, scope_filter, staff_of

from . import names
from .models import Customer, PiiReveal, Purchase


def _tickets():
    # Tickets point at customers from the layer above; reach them through that relation
    # (Customer.tickets) rather than importing the tickets app.
    return Customer._meta.get_field("tickets").related_model


def _jobs_of(user, staff) -> Q:
    # A technician's jobs (tickets given to them or with their field visit), by relation names.
    visits = (
        _tickets()
        ._meta.get_field("field_visits")
        .related_model.objects.filter(ticket=OuterRef("pk"), technician_id=staff.pk)
    )
    return Q(assignee_id=user.pk) | Q(Exists(visits))


def _where(staff, prefix: str = "") -> dict:
    """Lookups matching a store-, region- or area-scoped reader's stores (prefix: the path to
    the row's store)."""
    return _at(staff.scope, _place_of(staff), prefix)


def _at(scope: str, place_id: int | None, prefix: str = "") -> dict:
    """Lookups matching one store (scope "store") or the stores of one region, by id."""
    if scope == "store":
        return {f"{prefix}store_id": place_id}
    return {f"{prefix}store__region_id": place_id}


def _place_of(staff) -> int | None:
    return staff.store_id if staff.scope == "store" else staff.region_id


def customers_visible_to(user) -> QuerySet:
    """All customers for the CS department; for a store or region, those who bought, filed a
    ticket or were registered there; for a technician, the customers of their jobs and service
    area. Roles without the ``customers.view`` right (trainer, QA monitor) see none."""
    staff = staff_of(user)
    customers = Customer.objects.all()
    if staff is None or not can(user, "customers.view"):
        return customers.none()
    if staff.scope == "all":
        return customers
    if staff.scope == "area":
        area = scope_filter(user)
        filed = (
            _tickets().objects.filter(customer=OuterRef("pk")).filter(area | _jobs_of(user, staff))
        )
        return customers.filter(Exists(filed))
    if staff.scope == "store":
        home_q = Q(home_store_id=staff.store_id)
    else:
        home_q = Q(home_store__region_id=staff.region_id)
    bought = Purchase.objects.filter(customer=OuterRef("pk"), **_where(staff))
    filed = _tickets().objects.filter(customer=OuterRef("pk"), **_where(staff))
    return customers.filter(home_q | Exists(bought) | Exists(filed))


# ------------------------------------------------------------------ what is disclosed
# A chain shares its customers: a ticket filed in store B with a mobile number already on file
# links to that customer, so store B sees the customer (and its own tickets and purchases).
# What is ON FILE elsewhere (the name and gender behind the honorific, the mobile, e-mail and
# address) is disclosed only where the customer is on file: the CS department (scope "all"),
# the customer's home store (and its region), a store (region) where they bought something,
# and a technician's own jobs. Knowing a mobile number discloses nothing. Full contact data
# additionally needs the ``customers.contact`` right, and every look at it is audited.


def on_file_condition(user) -> Q | None:
    """Q over Customer: the customers whose details on file the user may read. None: none."""
    staff = staff_of(user)
    if staff is None or not can(user, "customers.view"):
        return None
    if staff.scope == "all":
        return Q()
    if staff.scope == "area":
        jobs = _tickets().objects.filter(customer=OuterRef("pk")).filter(_jobs_of(user, staff))
        return Q(Exists(jobs))
    return _on_file_at(staff.scope, _place_of(staff))


def _on_file_at(scope: str, place_id: int | None) -> Q:
    """Q over Customer: at home in the store (scope "store") or region, or bought there."""
    bought = Purchase.objects.filter(customer=OuterRef("pk"), **_at(scope, place_id))
    return Q(**_at(scope, place_id, "home_")) | Q(Exists(bought))


# One customer on file at a store or in a region: asked on every ticket a store's or region's
# staff open (twice: the customer's details, then the answer), its statement compiled once per
# process instead (issue 14: a third of a store manager's new ticket).
@rows.prepared
def _on_file_at_store(customer_id: int, store_id: int):
    return Customer.objects.filter(_on_file_at("store", store_id), pk=customer_id).values("pk")


@rows.prepared
def _on_file_in_region(customer_id: int, region_id: int):
    return Customer.objects.filter(_on_file_at("region", region_id), pk=customer_id).values("pk")


_ON_FILE_ONE = {"store": _on_file_at_store, "region": _on_file_in_region}


def with_disclosure(user, customers: QuerySet) -> QuerySet:
    """The customers annotated with ``on_file_here``: whether their details may be shown."""
    condition = on_file_condition(user)
    if condition is None:
        return customers.annotate(on_file_here=Value(False, output_field=BooleanField()))
    if not condition:
        return customers.annotate(on_file_here=Value(True, output_field=BooleanField()))
    return customers.annotate(
        on_file_here=Exists(Customer.objects.filter(pk=OuterRef("pk")).filter(condition))
    )


def discloses(user, customer: Customer) -> bool:
    """Whether the user may read this customer's name and gender on file."""
    known = getattr(customer, "on_file_here", None)
    if known is not None:
        return bool(known)
    staff = staff_of(user)
    one = _ON_FILE_ONE.get(staff.scope) if staff is not None else None
    if one is not None and _place_of(staff) is not None and can(user, "customers.view"):
        return bool(one(customer.pk, _place_of(staff)))  # on_file_condition's rule, compiled once
    condition = on_file_condition(user)
    if condition is None:
        return False
    if not condition:
        return True
    return Customer.objects.filter(pk=customer.pk).filter(condition).exists()


def shown(user, customer: Customer) -> dict:
    """Name, honorific, greeting and masked contact data as this user may see them (no audit:
    nothing in full)."""
    if discloses(user, customer):
        name, honorific, greeting = customer.name, customer.honorific, customer.greeting
        label = customer.address_label
    else:
        name, honorific, greeting, label = _("(customer on file)"), "您好", "您好", ""
    return {
        "id": customer.pk,
        "name": name,
        "honorific": honorific,
        "address_label": label,
        "greeting": greeting,
        "disclosed": name == customer.name,
        "full": False,
        "phone": names.mask_phone(customer.phone),
        "email": names.mask_email(customer.email),
        "address": names.mask_address(customer.address),
        # Only where the customer is on file for this reader.
        "requirements": customer.special_requirements if name == customer.name else "",
    }


def contact_for(user, customer: Customer, *, context: str) -> dict:
    """What a page or answer shows of the customer to this user: the details on file where the
    customer is on file for them, full contact data only with ``customers.contact`` (audited,
    one PiiReveal row), masked otherwise."""
    out = shown(user, customer)
    if out["disclosed"] and can(user, "customers.contact"):
        out.update(reveal_contact(user, customer, context=context), full=True)
    return out


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
    """Purchases of customers the user may see, made where the user works: a store (region)
    sees what was bought there (and online purchases of its own customers), never what another
    store sold, even to a shared customer."""
    return _sold_where_seen(
        user, Purchase.objects.filter(customer__in=customers_visible_to(user).values("pk"))
    )


def _sold_where_seen(user, purchases: QuerySet) -> QuerySet:
    """``purchases`` (of customers the user may see) narrowed to where the user works."""
    staff = staff_of(user)
    if staff is None or staff.scope == "all":
        return purchases
    if staff.scope == "area":
        return purchases.filter(Q(store__isnull=True) | scope_filter(user, region_field=None))
    if staff.scope == "store":
        elsewhere = Q(store__isnull=True, customer__home_store_id=staff.store_id)
    else:
        elsewhere = Q(store__isnull=True, customer__home_store__region_id=staff.region_id)
    return purchases.filter(Q(**_where(staff)) | elsewhere)


def purchases_of(user, customer: Customer) -> QuerySet:
    """The customer's purchases the user may see, newest first. Whether the customer is visible
    is asked for this customer by key, inside the same query: the IN over every customer a
    regional manager may see took SQLite ~240 ms at 100,000 tickets on every ticket page."""
    visible = customers_visible_to(user).filter(pk=customer.pk).values("pk")
    purchases = Purchase.objects.filter(customer=customer, customer__in=visible)
    return (
        _sold_where_seen(user, purchases)
        .select_related("store", "category", "product_model")
        .order_by("-sale_date", "-id")
    )


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
    rows.insert(
        [PiiReveal(user=user, customer=customer, fields="phone,address", context=context[:100])]
    )
    return {"phone": customer.phone or "", "address": customer.address, "email": customer.email}


def purchases_by_serial(user, serial: str) -> QuerySet:
    """Purchases the user may see with this serial number (as typed, or in capitals)."""
    serial = (serial or "").strip()
    if not serial or len(serial) > 60 or " " in serial:
        return Purchase.objects.none()
    return (
        purchases_visible_to(user)
        .filter(serial__in={serial, serial.upper()})
        .select_related("store", "category", "customer")
        .order_by("-sale_date", "-id")
    )
