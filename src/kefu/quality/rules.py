"""Rules of the complaint guide, QA scorecards and self-assessment (pure Python, no Django).

The rules themselves are data (``data/complaint.v1.json``, ``data/scorecard.v1.json``); this
module reads them and holds the few functions that apply them, so the desk, the API, the
Huey task and the tests all decide the same way.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


@functools.cache
def load(pack: str) -> dict:
    """The highest version of ``data/<pack>.v*.json``."""
    paths = sorted(DATA_DIR.glob(f"{pack}.v*.json"), key=lambda p: int(p.stem.rsplit(".v", 1)[1]))
    if not paths:
        raise LookupError(f"no data pack {pack!r} in {DATA_DIR}")
    return json.loads(paths[-1].read_text(encoding="utf-8"))


def text(item: dict, lang: str | None, key: str = "") -> str:
    """The item's text in the reader's language: ``<key>en`` for English, else ``<key>zh``."""
    prefix = f"{key}_" if key else ""
    if lang and lang.lower().startswith("en") and item.get(f"{prefix}en"):
        return item[f"{prefix}en"]
    return item.get(f"{prefix}zh", "")


# ---------------------------------------------------------------- complaint guide


def complaint_steps() -> list[dict]:
    """The six steps (seed 003), in order: opening, questions, listen, propose, agree, confirm."""
    return load("complaint")["steps"]


STEP_CODES = tuple(s["code"] for s in complaint_steps())
CONFIRM_STEP = "confirm"


def root_causes() -> dict[str, dict]:
    """Every root cause by code, each with its group (general / after_sales)."""
    out = {}
    for group in load("complaint")["root_causes"]:
        for cause in group["causes"]:
            out[cause["code"]] = {**cause, "group": group["group"]}
    return out


def summary_text(
    *, greeting: str, agreed: str, next_steps: str, agent: str, phone: str, number: str
) -> str:
    """The confirm step's reply: what was agreed, what happens next, who to reach and how."""
    summary = load("complaint")["summary"]
    contact = summary["contact_phone"].format(phone=phone) if phone else summary["contact_none"]
    agreed = agreed.strip().rstrip("。；;，,") + "。"
    next_steps = next_steps.strip().rstrip("。；;，,") + "。"
    return summary["template"].format(
        greeting=greeting,
        agreed=agreed,
        next_steps=next_steps,
        agent=agent,
        contact=contact,
        number=number,
    )


# ---------------------------------------------------------------- QA scorecards


def standards() -> dict[str, list[dict]]:
    """side → its seven standards (seed 003): {"procedure": [...], "personal": [...]}."""
    return {side: spec["standards"] for side, spec in load("scorecard")["sides"].items()}


def standard_codes() -> dict[str, str]:
    """standard code → side."""
    return {s["code"]: side for side, items in standards().items() for s in items}


def service_types() -> dict[str, dict]:
    return {t["code"]: t for t in load("scorecard")["service_types"]}


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def side_averages(scores: dict[str, int]) -> dict[str, Decimal]:
    """The mean score of each side (two decimals); every standard must be scored."""
    codes = standard_codes()
    missing = sorted(set(codes) - set(scores))
    if missing:
        raise ValueError(f"missing scores: {', '.join(missing)}")
    out = {}
    for side in standards():
        values = [Decimal(int(scores[c])) for c, s in codes.items() if s == side]
        out[side] = _q(sum(values) / len(values))
    return out


def service_type(
    procedure: Decimal | float | None,
    personal: Decimal | float | None,
    *,
    procedure_strong_at: Decimal,
    personal_strong_at: Decimal,
) -> str | None:
    """Place a score pair in one of the four service types (seed 003):
    cold (both weak), production_line (procedure strong only), friendly (personal strong
    only), quality (both strong). A side is strong at or above its threshold."""
    if procedure is None or personal is None:
        return None
    strong = (
        Decimal(str(procedure)) >= Decimal(procedure_strong_at),
        Decimal(str(personal)) >= Decimal(personal_strong_at),
    )
    for code, spec in service_types().items():
        if (spec["procedure"] == "strong", spec["personal"] == "strong") == strong:
            return code
    raise LookupError("the service-type table does not cover every case")  # pragma: no cover


def sample(ticket_ids: Iterable[int], *, n: int, key: bytes, week: str) -> list[int]:
    """Pick ``n`` tickets for review, the same way every time for the same week.

    Each ticket is ranked by HMAC(key, week:ticket id): nobody chooses (not cherry-picked),
    a rerun picks the same tickets (deterministic), a larger ``n`` only adds tickets, and
    without the key an agent cannot tell in advance which of their tickets will be picked."""

    def rank(ticket_id: int) -> bytes:
        return hmac.new(key, f"{week}:{ticket_id}".encode(), hashlib.sha256).digest()

    return sorted(set(ticket_ids), key=rank)[: max(0, n)]


# ---------------------------------------------------------------- self-assessment


def self_assessment() -> dict:
    return load("scorecard")["self_assessment"]


def assessment_band(total: int) -> dict:
    """The band a self-assessment total (10–100) falls in: 80+ / 50–79 / under 50."""
    for band in sorted(self_assessment()["bands"], key=lambda b: -b["min"]):
        if total >= band["min"]:
            return band
    raise LookupError("the band table does not start at 0")  # pragma: no cover


def assessment_total(answers: list[int]) -> int:
    """Sum of the ten answers, each 10 (agree with the left statement) … 1 (the right one)."""
    spec = self_assessment()
    low, high = spec["scale"]["min"], spec["scale"]["max"]
    if len(answers) != len(spec["statements"]):
        raise ValueError(f"expected {len(spec['statements'])} answers, got {len(answers)}")
    for value in answers:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"each answer is a whole number from {low} to {high}")
    return sum(answers)
