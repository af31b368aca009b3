"""The fee schedule for paid repairs (收费标准), pure: labour by category and job type, a call-out
fee by distance band, parts at their catalogue price. No Django imports: the schedule is the
versioned data file data/fees.v1.json, parts come in as plain (code, name, price, quantity).

A quote inside the free 三包 period is zero: the caller passes ``free`` from the engine's
decision, and the lines still show what the work would have cost (for the manufacturer's claim).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

FEN = Decimal("0.01")
SCHEDULE_FILE = Path(__file__).parent / "data" / "fees.v1.json"


class FeeError(ValueError):
    """A quote that cannot be computed; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PartLine:
    code: str
    name: str
    price: Decimal
    quantity: int


@dataclass(frozen=True)
class Quote:
    category: str
    job: str
    distance_km: int
    labour: Decimal
    callout: Decimal
    parts: tuple[PartLine, ...]
    free: bool
    schedule_version: int

    @property
    def parts_total(self) -> Decimal:
        return sum((p.price * p.quantity for p in self.parts), Decimal("0")).quantize(FEN)

    @property
    def cost(self) -> Decimal:
        """What the work costs by the schedule (also what a warranty claim asks back)."""
        return (self.labour + self.callout + self.parts_total).quantize(FEN)

    @property
    def total(self) -> Decimal:
        """What the customer pays: nothing inside the free 三包 period."""
        return Decimal("0.00") if self.free else self.cost

    def lines(self) -> list[dict]:
        rows = [
            {"kind": "labour", "name": self.job, "amount": f"{self.labour:.2f}"},
            {"kind": "callout", "name": f"{self.distance_km} km", "amount": f"{self.callout:.2f}"},
        ]
        rows += [
            {
                "kind": "part",
                "code": p.code,
                "name": p.name,
                "quantity": p.quantity,
                "price": f"{p.price:.2f}",
                "amount": f"{(p.price * p.quantity).quantize(FEN):.2f}",
            }
            for p in self.parts
        ]
        return rows


@cache
def schedule() -> dict:
    """The shipped schedule, checked once: every amount a Decimal to the fen."""
    data = json.loads(SCHEDULE_FILE.read_text(encoding="utf-8"))
    jobs = data["jobs"]
    labour = {}
    for category, fees in data["labour"].items():
        if set(fees) != set(jobs):
            raise ValueError(f"fees.v1.json: {category} must price exactly {jobs}")
        labour[category] = {job: _amount(fee) for job, fee in fees.items()}
    bands = [(b["up_to_km"], _amount(b["fee"])) for b in data["callout"]]
    if bands[-1][0] is not None:
        raise ValueError("fees.v1.json: the last call-out band must be open-ended")
    return {"version": data["version"], "jobs": tuple(jobs), "labour": labour, "callout": bands}


def _amount(value: str) -> Decimal:
    amount = Decimal(value)
    if amount < 0 or amount != amount.quantize(FEN):
        raise ValueError(f"fees.v1.json: {value} is not an amount to the fen")
    return amount


def callout_fee(distance_km: int) -> Decimal:
    for up_to, fee in schedule()["callout"]:
        if up_to is None or distance_km <= up_to:
            return fee
    raise AssertionError("unreachable: the last band is open-ended")


def quote(
    category: str,
    job: str,
    *,
    distance_km: int = 0,
    parts: tuple[PartLine, ...] | list[PartLine] = (),
    free: bool = False,
) -> Quote:
    """The fee for one job by the schedule; a category it does not list pays the default."""
    data = schedule()
    if job not in data["jobs"]:
        raise FeeError("job", f"unknown job type {job!r}; one of {', '.join(data['jobs'])}")
    if (
        not isinstance(distance_km, int)
        or isinstance(distance_km, bool)
        or not 0 <= distance_km <= 1000
    ):
        raise FeeError("distance_km", "distance must be 0–1000 km")
    labour = data["labour"].get(category, data["labour"]["default"])[job]
    return Quote(
        category=category,
        job=job,
        distance_km=distance_km,
        labour=labour,
        callout=callout_fee(distance_km),
        parts=tuple(parts),
        free=free,
        schedule_version=data["version"],
    )
