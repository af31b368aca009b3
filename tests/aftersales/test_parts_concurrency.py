"""Two technicians take the last part at the same moment on PostgreSQL: one wins, one is refused."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from kefu.aftersales import services, stock
from kefu.aftersales.models import Part, StockLevel, StockMove, Warehouse, WarehouseKind
from kefu.catalog.models import ProductModel
from kefu.errors import Conflict
from tests.factories import CategoryFactory, open_ticket, purchase_bought, technician

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_consumption_of_the_last_part(chain, users):
    model = ProductModel.objects.create(
        category=CategoryFactory(code="refrigerator"), brand="骏和", code="BCD-1", name="冰箱"
    )
    part = Part.objects.create(product_model=model, code="P-1", name="温控器", price=Decimal("88"))
    technician(users["technician"], skills=("refrigerator",), regions=("east",))
    depot = Warehouse.objects.create(code="cs", name="客服部仓库", kind=WarehouseKind.CS)
    StockLevel.objects.create(warehouse=depot, part=part, quantity=1)
    visits = []
    for i in range(2):
        purchase = purchase_bought(100)
        ticket = open_ticket("SH001", customer=purchase.customer, purchase_id=purchase.pk)
        visits.append(
            services.dispatch_visit(
                actor=users["cs_agent"],
                ticket=ticket,
                kind="repair",
                date=timezone.localdate() + datetime.timedelta(days=1 + i),
                window="09-12",
                technician="technician",
            )
        )
    barrier = threading.Barrier(2)
    results = [None, None]

    def work(i):
        try:
            barrier.wait()
            results[i] = stock.consume_parts(
                actor=users["cs_manager"], visit=visits[i], part=part, quantity=1, warehouse=depot
            )
        except Exception as exc:  # noqa: BLE001 — asserted below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(isinstance(r, StockMove) for r in results) == 1, results
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == 1 and "温控器" in refused[0].text()
    assert StockLevel.objects.get(warehouse=depot, part=part).quantity == 0
