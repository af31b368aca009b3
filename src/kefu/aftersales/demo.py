"""After-sales demo rows for `kefu demo`: technicians with skills and areas; 三包 orders carried
out over the ticket history (open_order / finish_order, called by kefu.web.demo as each ticket
is worked); technician visits booked for the repairs still open. Idempotent."""

import datetime
import functools
import logging
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kefu.catalog.models import ProductCategory, ProductModel
from kefu.catalog.selectors import terms_for
from kefu.catalog.services import seed_warranty_terms
from kefu.errors import KefuError
from kefu.org.models import Region, Staff, Store
from kefu.org.roles import Role

from . import selectors, services
from .models import (
    FieldVisit,
    OutletKind,
    OutletMember,
    Part,
    ServiceOrder,
    ServiceOutlet,
    StockLevel,
    Technician,
    Warehouse,
    WarehouseKind,
)

log = logging.getLogger(__name__)

# username, display name, skills (category codes), regions, stores
TECHNICIANS = [
    (
        "tech_sh",
        "吴师傅",
        ("refrigerator", "washing_machine", "air_conditioner", "other"),
        ("east",),
        (),
    ),
    (
        "tech_bj",
        "钱师傅",
        ("refrigerator", "washing_machine", "air_conditioner", "tv"),
        ("north",),
        (),
    ),
    ("tech_gz", "冯师傅", ("refrigerator", "air_conditioner", "tv", "other"), ("south",), ()),
    ("tech_digital", "褚师傅", ("tv", "mobile_phone", "computer"), ("east",), ("BJ001",)),
]


def _technicians(password: str) -> None:
    User = get_user_model()
    hashed = functools.cache(lambda: make_password(password))
    for username, display, skills, regions, stores in TECHNICIANS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, password=hashed())  # one slow hash for all
            user.save()
        staff, _ = Staff.objects.get_or_create(
            user=user,
            defaults={
                "role": Role.TECHNICIAN,
                "display_name": display,
                "work_phone": "400-820-1234",
            },
        )
        if staff.role != Role.TECHNICIAN:
            continue
        profile, created = Technician.objects.get_or_create(staff=staff)
        if created:
            profile.skills.set(ProductCategory.objects.filter(code__in=skills))
            profile.regions.set(Region.objects.filter(code__in=regions))
            profile.stores.set(Store.objects.filter(code__in=stores))


def open_order(agent, ticket):
    """Carry out the 三包 decision's recommended remedy on a ticket of the history (called by
    kefu.web.demo at the moment it happens): the order is created and approved at once. None
    when the facts grant nothing to order."""
    try:
        purchase = ticket.purchase
        _case, decision = selectors.decide(selectors.prefill_case(ticket, purchase))
        remedy = decision.recommended
        if remedy not in services.ORDER_KIND_OF_REMEDY:
            return None
        order = services.create_order(
            actor=agent, ticket=ticket, remedy=remedy, symptom=ticket.subject[-20:]
        )
        return services.change_order_status(actor=agent, order=order, status="approved")
    except KefuError as exc:
        log.debug("demo: no order on %s (%s)", ticket.number, exc.text())
        return None


def finish_order(agent, order, rng) -> None:
    """The work done, just before the ticket is resolved: most repairs fix the fault, some do
    not (they count towards 三包's two-failed-repairs rule), some waited for parts."""
    order = services.change_order_status(actor=agent, order=order, status="in_progress")
    extra = {}
    if order.kind == "repair":
        extra = {
            "outcome": "fixed" if rng.random() < 0.9 else "not_fixed",
            "repair_days": rng.randint(1, 5),
            "parts_wait_days": rng.choice([0, 0, 0, 1, 2, 3]),
        }
    services.change_order_status(actor=agent, order=order, status="done", **extra)


def _visits(agent) -> int:
    """A technician booked for the approved repairs still open today, from tomorrow on."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    made = 0
    orders = (
        ServiceOrder.objects.filter(kind="repair", status="approved", visits__isnull=True)
        .select_related("ticket__store", "purchase__category")
        .order_by("id")[:8]
    )
    for order in orders:
        technician = selectors.technicians_for(order.purchase.category, order.ticket.store).first()
        if technician is None:
            continue
        try:
            with transaction.atomic():
                services.dispatch_visit(
                    actor=agent,
                    ticket=order.ticket,
                    kind="repair",
                    order_id=order.pk,
                    date=day + datetime.timedelta(days=made % 3),
                    window=("09-12", "13-17", "18-20")[made % 3],
                    technician=technician.staff,
                )
        except KefuError as exc:
            log.debug("demo: no visit on %s (%s)", order.ticket.number, exc.text())
            continue
        made += 1
    return made


# A common non-main part per category (the main parts come from the 三包 main-part lists).
EVERYDAY_PART = {
    "refrigerator": "冷藏层搁架",
    "washing_machine": "排水管",
    "air_conditioner": "遥控器",
    "tv": "遥控器",
    "mobile_phone": "充电器",
    "computer": "电源适配器",
}


def _parts(password: str) -> int:
    """Parts for every demo model (its category's 三包 main parts and one everyday part), the
    CS department's warehouse, a partner outlet's, a van per technician, and stock in each."""
    cs, _ = Warehouse.objects.get_or_create(
        code="cs-main", defaults={"name": "客服部中心仓", "kind": WarehouseKind.CS}
    )
    outlet, created = ServiceOutlet.objects.get_or_create(
        code="hx-service", defaults={"name": "华信家电服务网点", "kind": OutletKind.PARTNER}
    )
    if created:
        outlet.regions.set(Region.objects.filter(code="east"))
        outlet.categories.set(
            ProductCategory.objects.filter(code__in=("refrigerator", "washing_machine"))
        )
    outlet_store, _ = Warehouse.objects.get_or_create(
        code="hx-service",
        defaults={"name": "华信服务网点仓库", "kind": WarehouseKind.OUTLET, "outlet": outlet},
    )
    # The partner outlet's own people: its manager books its technician (see /desk/aftersales/outlet-jobs/).
    for username, display, role in (
        ("outlet_hx", "华信网点主管", Role.OUTLET_MANAGER),
        ("tech_hx", "华信网点技师", Role.OUTLET_TECHNICIAN),
    ):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            user = get_user_model()(username=username)
            user.set_password(password)
            user.save()
        staff, _ = Staff.objects.get_or_create(
            user=user, defaults={"role": role, "display_name": display}
        )
        OutletMember.objects.get_or_create(staff=staff, defaults={"outlet": outlet})
    vans = []
    for staff in Staff.objects.filter(
        role__in=(Role.TECHNICIAN, Role.OUTLET_TECHNICIAN), user__username__startswith="tech_"
    ):
        van, _ = Warehouse.objects.get_or_create(
            technician=staff,
            defaults={
                "code": f"van-{staff.user.username}"[:30],
                "name": f"{staff.display_name}车载库存",
                "kind": WarehouseKind.VAN,
            },
        )
        vans.append(van)
    made = 0
    for i, model in enumerate(ProductModel.objects.select_related("category").order_by("code")):
        terms = terms_for(model.category.code)
        price = model.guide_price or Decimal("1000.00")
        rows = [
            (
                f"{model.code}-M{n + 1}",
                name,
                True,
                name,
                (price * Decimal("0.2")).quantize(Decimal("0.01")),
            )
            for n, name in enumerate(terms.main_parts[:2])
        ]
        everyday = EVERYDAY_PART.get(model.category.code, "外壳")
        rows.append((f"{model.code}-A1", everyday, False, "", Decimal("45.00")))
        for code, name, main, main_name, part_price in rows:
            part, created = Part.objects.get_or_create(
                code=code[:40],
                defaults={
                    "product_model": model,
                    "name": name,
                    "is_main_part": main,
                    "main_part": main_name,
                    "price": part_price,
                },
            )
            if not created:
                continue
            made += 1
            # Some main parts are out everywhere: they are the ones awaited in the demo.
            StockLevel.objects.get_or_create(
                warehouse=cs, part=part, defaults={"quantity": 0 if i % 4 == 3 else 6}
            )
            StockLevel.objects.get_or_create(
                warehouse=outlet_store, part=part, defaults={"quantity": 2 if main else 10}
            )
            if not main:
                for van in vans:
                    StockLevel.objects.get_or_create(
                        warehouse=van, part=part, defaults={"quantity": 1}
                    )
    return made


def load(password: str) -> dict:
    """Technicians, parts and warehouses always (idempotent); orders and visits once, when
    tickets exist."""
    with transaction.atomic():
        seed_warranty_terms()
        _technicians(password)
        parts = _parts(password)
    agent = get_user_model().objects.filter(username="cs_agent").first()
    first_time = agent is not None and not FieldVisit.objects.exists()
    return {"visits": _visits(agent) if first_time else 0, "parts": parts}
