"""What after-sales holds about a customer, for the customer's data rights
(customers.datarights): service orders and field visits."""

from .models import FieldVisit, ServiceOrder


def _iso(value):
    return value.isoformat() if value else None


def _money(value):
    return None if value is None else f"{value:.2f}"


def export(customer) -> dict:
    return {
        "service_orders": [
            {
                "ticket": o.ticket_id,
                "kind": o.kind,
                "status": o.status,
                "price": _money(o.price),
                "refund": _money(o.refund),
                "fee": _money(o.fee),
                "symptom": o.symptom,
                "note": o.note,
            }
            for o in ServiceOrder.objects.filter(ticket__customer=customer).order_by("id")
        ],
        "field_visits": [
            {
                "ticket": v.ticket_id,
                "kind": v.kind,
                "date": _iso(v.date),
                "window": v.window,
                "diagnosis": v.diagnosis,
                "confirmed_by": v.confirmed_by,
                "fee": _money(v.fee),
            }
            for v in FieldVisit.objects.filter(ticket__customer=customer).order_by("id")
        ],
    }


def erase(customer, actor, reason) -> dict:
    """The orders' money (price, refund, fees: what accounting must keep) and dates stay; the
    free-text note and the name the customer signed a visit with go."""
    return {
        "service_orders": ServiceOrder.objects.filter(ticket__customer=customer).update(note=""),
        "field_visits": FieldVisit.objects.filter(ticket__customer=customer).update(
            confirmed_by=""
        ),
    }
