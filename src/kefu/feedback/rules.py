"""Rule core of the customer's voice (倾听顾客). Pure Python, no Django: plain data in, plain data out.

- who is sampled for a follow-up call (回访抽样), deterministically;
- which rung of the ladder may approve a compensation of a given amount (补偿审批);
- the call script (回访话术), filled with the customer's honorific and the ticket's facts.
"""

import json
from decimal import Decimal
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# A multiplier coprime with 100: over any 100 consecutive ticket ids exactly `percent` of them are
# sampled, and the same ticket always gets the same answer (re-running the sweep changes nothing).
# The database computes the same expression (selectors.sample_bucket), so sampling is a WHERE clause.
SAMPLE_MULTIPLIER = 37
SAMPLE_SALT = 11


def sample_bucket(ticket_id: int, rule_id: int) -> int:
    """0–99: the ticket's bucket for this rule. A ticket is sampled when its bucket < percent."""
    return (ticket_id * SAMPLE_MULTIPLIER + rule_id * SAMPLE_SALT) % 100


def in_sample(ticket_id: int, rule_id: int, percent: int) -> bool:
    """Whether a rule that samples `percent` % of tickets picks this one (100 picks all, 0 none)."""
    return sample_bucket(ticket_id, rule_id) < max(0, min(100, percent))


def is_low_score(csat: int, threshold: int) -> bool:
    """A score at or below the threshold (default 2 of 5) means the customer is unhappy."""
    return csat <= threshold


def covers(limit: Decimal | None, amount: Decimal) -> bool:
    """A limit of None is unlimited; otherwise it covers amounts up to and including itself."""
    return limit is None or amount <= limit


def approval_rung(amount: Decimal, rung_limits: list[tuple[str, Decimal | None]]) -> str | None:
    """The lowest rung whose limit covers `amount`; rung_limits is the ladder, lowest first.

    None when no rung covers it (every rung has a finite limit below the amount): nobody may
    approve it until the limits change."""
    for rung, limit in rung_limits:
        if covers(limit, amount):
            return rung
    return None


def load_scripts(path: Path = DATA_DIR / "scripts.v1.json") -> dict[str, str]:
    """The shipped call scripts, keyed by reason (and rule:<ticket type>)."""
    with open(path, encoding="utf-8") as fh:
        return {k: v for k, v in json.load(fh)["scripts"].items()}


class _Facts(dict):
    """Unknown placeholders stay visible ({x}) rather than breaking the script."""

    def __missing__(self, key):
        return "{" + key + "}"


def render_script(template: str, facts: dict[str, str]) -> str:
    """Fill a script's {placeholders}: greeting, honorific, store, agent, number, subject, resolved_on."""
    return template.format_map(_Facts(facts))


def script_for(
    reason: str, ticket_type: str, custom: str = "", scripts: dict[str, str] | None = None
) -> str:
    """The script template for a call: the rule's own text, else the shipped one for this ticket
    type, else the one for the reason."""
    if custom.strip():
        return custom
    scripts = scripts if scripts is not None else load_scripts()
    return scripts.get(f"{reason}:{ticket_type}") or scripts.get(reason) or scripts["rule"]


# The 回访 form asks two things apart: how the call went (通话结果) and, when the customer was
# reached, how satisfied they are (满意度). The stored outcome combines them.
CALL_RESULTS = ("reached", "no_answer", "refused", "wrong_number", "busy_or_off")
SATISFACTION = ("satisfied", "unsatisfied", "not_said")


def call_outcome(call: str, satisfaction: str) -> str | None:
    """The stored outcome for a call result and a satisfaction answer, or None when the pair
    makes no sense (a call result or satisfaction not offered; satisfaction missing when the
    customer was reached). Not reached in any way → "not_reached"; reached → "satisfied",
    "unsatisfied", or "reached" when the customer gave no verdict."""
    if call not in CALL_RESULTS:
        return None
    if call != "reached":
        return "not_reached"
    if satisfaction not in SATISFACTION:
        return None
    return "reached" if satisfaction == "not_said" else satisfaction
