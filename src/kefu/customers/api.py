"""Customer and purchase endpoints."""

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja import Status as WithStatus

from kefu.api.schema import ERRORS, Strict
from kefu.customers import datarights, selectors, services

router = Router()


class CustomerCreate(Strict):
    name: str = Field(max_length=50)
    phone: str = Field(max_length=30)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=200)
    gender: Literal["male", "female", "unknown"] = "unknown"
    is_vip: bool = False
    consent_contact: bool = True
    consent_marketing: bool = False


class FormOfAddress(Strict):
    address_as: str = Field(max_length=20, description="e.g. 阿依古丽女士; empty: computed")


class CustomerOut(Schema):
    id: int
    name: str
    honorific: str
    address_as: str
    gender: str
    phone: str
    email: str
    address: str
    is_vip: bool
    consent_contact: bool
    consent_marketing: bool


class CustomerList(Schema):
    items: list[CustomerOut]
    count: int
    limit: int
    offset: int


class PurchaseIn(Strict):
    category: str = Field(max_length=40)
    model_name: str = Field("", max_length=100)
    product_model: str | None = Field(None, max_length=60)
    serial: str = Field("", max_length=60)
    sale_date: date
    invoice_number: str = Field("", max_length=40)
    has_warranty_card: bool = True
    production_date: date | None = None
    price: Decimal = Field(max_digits=12, decimal_places=2)
    store: str | None = Field(None, max_length=20)
    is_sample_unit: bool = False
    sales_channel: Literal["store", "online", "phone"] = "store"


class PurchaseOut(Schema):
    id: int
    customer_id: int
    store: str | None
    category: str
    model_name: str
    product_model: str | None
    serial: str
    sale_date: date
    invoice_number: str
    has_invoice: bool
    has_warranty_card: bool
    production_date: date | None
    price: str
    is_sample_unit: bool
    sales_channel: str


def customer_out(customer, shown: dict) -> dict:
    """The customer as ``shown`` (selectors.shown / contact_for) lets this reader see them."""
    return {
        "id": customer.id,
        "name": shown["name"],
        "honorific": shown["honorific"],
        "address_as": customer.address_as if shown["disclosed"] else "",
        "gender": customer.gender if shown["disclosed"] else "unknown",
        "phone": shown["phone"],
        "email": shown["email"],
        "address": shown["address"],
        "is_vip": customer.is_vip,
        "consent_contact": customer.consent_contact,
        "consent_marketing": customer.consent_marketing,
    }


class EraseIn(Strict):
    confirm: bool = Field(False, description="must be true: erasing cannot be undone")
    reason: str = Field(max_length=500)


class EraseOut(Schema):
    id: int
    erased: bool
    counts: dict


def purchase_out(p) -> dict:
    return {
        "id": p.id,
        "customer_id": p.customer_id,
        "store": p.store.code if p.store_id else None,
        "category": p.category.code,
        "model_name": p.model_name,
        "product_model": p.product_model.code if p.product_model_id else None,
        "serial": p.serial,
        "sale_date": p.sale_date,
        "invoice_number": p.invoice_number,
        "has_invoice": p.has_invoice,
        "has_warranty_card": p.has_warranty_card,
        "production_date": p.production_date,
        "price": f"{p.price:.2f}",
        "is_sample_unit": p.is_sample_unit,
        "sales_channel": p.sales_channel,
    }


@router.get(
    "/customers",
    response={200: CustomerList, **ERRORS},
    summary="Search customers by mobile, last 4 digits, name or pinyin",
)
def list_customers(
    request,
    q: str | None = Query(None, max_length=50),
    limit: int = Query(25, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
):
    customers = selectors.search_customers(request.auth, q or "")
    page = list(selectors.with_disclosure(request.auth, customers)[offset : offset + limit])
    return {
        "items": [customer_out(c, selectors.shown(request.auth, c)) for c in page],
        "count": customers.count(),
        "limit": limit,
        "offset": offset,
    }


@router.post("/customers", response={201: CustomerOut, **ERRORS}, summary="Register a customer")
def create_customer(request, payload: CustomerCreate):
    customer = services.create_customer(actor=request.auth, **payload.dict())
    contact = selectors.contact_for(request.auth, customer, context=f"api:customer:{customer.id}")
    return WithStatus(201, customer_out(customer, contact))


@router.get(
    "/customers/{int:customer_id}",
    response={200: CustomerOut, **ERRORS},
    summary="A customer (full contact details where on file for you and your role may, audited)",
)
def get_customer(request, customer_id: int):
    customer = selectors.get_customer(request.auth, customer_id)
    contact = selectors.contact_for(request.auth, customer, context=f"api:customer:{customer.id}")
    return customer_out(customer, contact)


@router.put(
    "/customers/{int:customer_id}/form-of-address",
    response={200: CustomerOut, **ERRORS},
    summary="Correct how the customer is addressed (used in every reply, script and SMS)",
)
def set_form_of_address(request, customer_id: int, payload: FormOfAddress):
    customer = selectors.get_customer(request.auth, customer_id)
    customer = services.set_form_of_address(
        actor=request.auth, customer=customer, address_as=payload.address_as
    )
    return customer_out(customer, selectors.shown(request.auth, customer))


@router.get(
    "/customers/{int:customer_id}/purchases",
    response={200: list[PurchaseOut], **ERRORS},
    summary="A customer's purchases",
)
def list_purchases(request, customer_id: int):
    customer = selectors.get_customer(request.auth, customer_id)
    return [purchase_out(p) for p in selectors.purchases_of(request.auth, customer)[:200]]


@router.post(
    "/customers/{int:customer_id}/purchases",
    response={201: PurchaseOut, **ERRORS},
    summary="Record a purchase",
)
def create_purchase(request, customer_id: int, payload: PurchaseIn):
    customer = selectors.get_customer(request.auth, customer_id)
    purchase = services.record_purchase(actor=request.auth, customer=customer, **payload.dict())
    return WithStatus(201, purchase_out(selectors.get_purchase(request.auth, purchase.pk)))


@router.get(
    "/purchases/{int:purchase_id}", response={200: PurchaseOut, **ERRORS}, summary="A purchase"
)
def get_purchase(request, purchase_id: int):
    return purchase_out(selectors.get_purchase(request.auth, purchase_id))


@router.get(
    "/customers/{int:customer_id}/export",
    response={200: dict, **ERRORS},
    summary="Everything held about a customer (PIPL data export, audited)",
)
def export_customer(request, customer_id: int):
    customer = selectors.get_customer(request.auth, customer_id)
    return datarights.export_customer(actor=request.auth, customer=customer)


@router.post(
    "/customers/{int:customer_id}/erase",
    response={200: EraseOut, **ERRORS},
    summary="Anonymise a customer (PIPL erasure; irreversible, needs confirm: true)",
)
def erase_customer(request, customer_id: int, payload: EraseIn):
    customer = selectors.get_customer(request.auth, customer_id)
    counts = datarights.erase_customer(
        actor=request.auth, customer=customer, confirm=payload.confirm, reason=payload.reason
    )
    return {"id": customer.pk, "erased": True, "counts": counts}
