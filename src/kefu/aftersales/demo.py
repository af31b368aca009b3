"""After-sales demo rows for `kefu demo`: technicians with skills and areas, a few orders and
visits on demo tickets. Idempotent: technicians are get-or-create, orders only on the first run."""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kefu.catalog.models import ProductCategory
from kefu.catalog.services import seed_warranty_terms
from kefu.errors import KefuError
from kefu.org.models import Region, Staff, Store
from kefu.org.roles import Role

from . import selectors, services
from .models import ServiceOrder, Technician

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
    for username, display, skills, regions, stores in TECHNICIANS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(password)
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


def _orders(agent) -> int:
    """On a handful of open after-sales tickets: carry out the recommended remedy, move some
    along, and book a technician for the repairs."""
    from kefu.tickets.models import OPEN_STATUSES, Ticket

    if ServiceOrder.objects.exists():
        return 0
    tickets = (
        Ticket.objects.filter(
            type__in=selectors.DECISION_TICKET_TYPES,
            status__in=OPEN_STATUSES,
            purchase__isnull=False,
        )
        .select_related(
            "store__region", "customer", "purchase__category", "purchase__product_model"
        )
        .order_by("id")[:40]
    )
    made, day = 0, timezone.localdate() + datetime.timedelta(days=1)
    for ticket in tickets:
        if made >= 8:
            break
        try:
            _case, decision = selectors.decide(selectors.prefill_case(ticket, ticket.purchase))
            remedy = decision.recommended
            if remedy not in services.ORDER_KIND_OF_REMEDY:
                continue
            with transaction.atomic():
                order = services.create_order(
                    actor=agent, ticket=ticket, remedy=remedy, symptom=ticket.subject[-20:]
                )
                if made % 2 == 0:
                    order = services.change_order_status(
                        actor=agent, order=order, status="approved"
                    )
                if order.kind == "repair" and order.status == "approved":
                    technician = selectors.technicians_for(
                        ticket.purchase.category, ticket.store
                    ).first()
                    if technician is not None:
                        services.dispatch_visit(
                            actor=agent,
                            ticket=ticket,
                            kind="repair",
                            order_id=order.pk,
                            date=day + datetime.timedelta(days=made),
                            window=("09-12", "13-17", "18-20")[made % 3],
                            technician=technician.staff,
                        )
        except KefuError as exc:  # a demo ticket whose facts grant nothing to order: leave it be
            log.info("demo: no order on %s (%s)", ticket.number, exc.text())
            continue
        made += 1
    return made


def load(password: str) -> dict:
    """Technicians always (idempotent); orders and visits once, when tickets exist."""
    with transaction.atomic():
        seed_warranty_terms()
        _technicians(password)
    agent = get_user_model().objects.filter(username="cs_agent").first()
    return {"orders": _orders(agent) if agent else 0}
