"""The outbound rules, pure (no Django): which timeline event becomes which customer message,
which channel carries it, quiet hours, retry backoff, and rendering a template. The data is in
channels/data/rules.v1.json and templates.v1.json."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def load_rules() -> dict:
    return json.loads((DATA / "rules.v1.json").read_text(encoding="utf-8"))


@cache
def load_templates() -> dict:
    return json.loads((DATA / "templates.v1.json").read_text(encoding="utf-8"))


def template_for(kind: str, public: bool, data: dict, rules: dict | None = None) -> dict | None:
    """The event rule a timeline event matches (first match wins), or None."""
    for rule in (rules or load_rules())["events"]:
        if rule["kind"] != kind:
            continue
        if rule.get("public") and not public:
            continue
        if any(data.get(k) != v for k, v in rule.get("match", {}).items()):
            continue
        return rule
    return None


@dataclass(frozen=True)
class Contact:
    """What is on file for a customer, per channel: an address ('' = none) and opt-outs."""

    sms: str = ""
    email: str = ""
    wechat: str = ""
    opted_out: frozenset = frozenset()
    consent_contact: bool = True


def choose_channel(contact: Contact, rule: dict, rules: dict | None = None) -> str | None:
    """The first channel in preference order that the customer has on file and did not opt out
    of; an event that needs consent (回访, surveys) reaches nobody who refused contact."""
    rules = rules or load_rules()
    if rule.get("needs_consent") and not contact.consent_contact:
        return None
    allowed = rule.get("channels") or rules["preference"]
    for channel in rules["preference"]:
        if channel in allowed and getattr(contact, channel) and channel not in contact.opted_out:
            return channel
    return None


def _clock(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


def quiet_until(channel: str, local_now: dt.datetime, rules: dict | None = None):
    """When a message on ``channel`` may go out if ``local_now`` is inside its quiet hours
    (a local datetime), else None. Quiet hours may wrap midnight (21:00–08:00)."""
    quiet = (rules or load_rules()).get("quiet_hours", {}).get(channel)
    if not quiet:
        return None
    start, end = _clock(quiet["start"]), _clock(quiet["end"])
    now = local_now.timetz().replace(tzinfo=None)
    wraps = start > end
    inside = (now >= start or now < end) if wraps else (start <= now < end)
    if not inside:
        return None
    day = local_now.date()
    if wraps and now >= start:
        day += dt.timedelta(days=1)
    return local_now.replace(
        year=day.year,
        month=day.month,
        day=day.day,
        hour=end.hour,
        minute=end.minute,
        second=0,
        microsecond=0,
    )


def retry_delay(attempts: int, rules: dict | None = None) -> int | None:
    """Seconds before the next attempt after ``attempts`` failed ones, or None: give up."""
    retry = (rules or load_rules())["retry"]
    if attempts >= retry["max_attempts"]:
        return None
    return int(retry["first_delay_seconds"] * retry["factor"] ** (attempts - 1))


class _Blank(dict):
    def __missing__(self, key):
        return ""


def render(template: str, channel: str, params: dict, templates: dict | None = None):
    """(subject, body) of a template on a channel; a missing placeholder renders empty."""
    spec = (templates or load_templates())["templates"][template][channel]
    values = _Blank({k: ("" if v is None else v) for k, v in params.items()})
    if isinstance(spec, dict):
        return spec["subject"].format_map(values), spec["body"].format_map(values).strip()
    return "", spec.format_map(values).strip()


def all_texts(templates: dict | None = None):
    """Every (template, channel, text) shipped, for the language check."""
    data = templates or load_templates()
    for name, channels in data["templates"].items():
        for channel, spec in channels.items():
            if isinstance(spec, dict):
                yield name, channel, spec["subject"]
                yield name, channel, spec["body"]
            else:
                yield name, channel, spec
    yield "survey_line", "all", data["survey_line"]
    yield "optout_line", "all", data["optout_line"]
    for name, label in data["labels"].items():
        yield name, "label", label


def webhook_event_for(kind: str, public: bool, data: dict, rules: dict | None = None) -> str | None:
    """The integrators' name of a timeline event (created, replied, …), or None."""
    hooks = (rules or load_rules())["webhooks"]
    rule = template_for(kind, public, data, {"events": hooks["events"]})
    return rule["event"] if rule else None


def webhook_retry_delay(attempts: int, rules: dict | None = None) -> int | None:
    return retry_delay(attempts, {"retry": (rules or load_rules())["webhooks"]["retry"]})
