"""Which status a ticket may move to from which (data, not if-chains)."""

from .models import Status

TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {
        Status.OPEN,
        Status.PENDING_CUSTOMER,
        Status.ON_HOLD,
        Status.RESOLVED,
        Status.CLOSED,
    },
    Status.OPEN: {Status.PENDING_CUSTOMER, Status.ON_HOLD, Status.RESOLVED},
    Status.PENDING_CUSTOMER: {Status.OPEN, Status.ON_HOLD, Status.RESOLVED},
    Status.ON_HOLD: {Status.OPEN, Status.PENDING_CUSTOMER, Status.RESOLVED},
    Status.RESOLVED: {Status.CLOSED, Status.OPEN},  # → open is a reopen
    Status.CLOSED: {Status.OPEN},  # reopen
}


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())


def next_statuses(current: str) -> list[str]:
    return [s for s in Status.values if s in TRANSITIONS.get(current, set())]
