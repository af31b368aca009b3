"""The 三包 case as an HTML form (calculator and ticket panel): which fields, how they show, and
how posted strings become the engine's JSON shape. Validation is the engine's (parse_case)."""

from __future__ import annotations

from dataclasses import MISSING, fields

from .labels import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    FAULT_LABELS,
    FIELD_LABELS,
    PART_LABELS,
    REASON_LABELS,
    WISH_LABELS,
)
from .policy import Case

PREFIX = "as_"  # form names are as_<field>, so they never clash with the ticket page's own
MARKER = (
    PREFIX + "form"
)  # present when the agent submitted the facts (unticked boxes then mean "no")

# (field, widget, choices) in the order an agent asks on the phone.
CASE_FORM: tuple[tuple[str, str, dict | None], ...] = (
    ("category", "choice", CATEGORY_LABELS),
    ("price", "money", None),
    ("sale_date", "date", None),
    ("request_date", "date", None),
    ("channel", "choice", CHANNEL_LABELS),
    ("receipt_date", "date", None),
    ("has_invoice", "bool", None),
    ("has_warranty_card", "bool", None),
    ("production_date", "date", None),
    ("fault", "choice", FAULT_LABELS),
    ("part", "choice", PART_LABELS),
    ("wish", "choice", WISH_LABELS),
    ("reason", "choice", REASON_LABELS),
    ("failed_repairs", "int", None),
    ("repair_days", "int", None),
    ("parts_wait_days", "int", None),
    ("same_model_available", "bool", None),
    ("parts_available", "bool", None),
    ("goods_intact", "bool", None),
    ("sample_unit_disclosed_defect", "bool", None),
    ("discontinued_date", "date", None),
    ("above_guide_price", "bool", None),
    ("authorised_dealer", "bool", None),
    ("customer_honorific", "text", None),
)
# Facts the purchase on file settles: shown, not edited, on a ticket with a purchase.
PURCHASE_FACTS = (
    "category",
    "price",
    "sale_date",
    "channel",
    "has_invoice",
    "has_warranty_card",
    "production_date",
    "discontinued_date",
)
DEFAULTS = {f.name: f.default for f in fields(Case) if f.default is not MISSING}


def submitted(data) -> bool:
    return MARKER in data


def case_from_form(data) -> dict:
    """Posted strings → the engine's JSON shape. Empty boxes take the engine's defaults; a
    value that is not a number stays a string so that parse_case names the field."""
    case: dict = {}
    for name, widget, _choices in CASE_FORM:
        key = PREFIX + name
        if widget == "bool":
            case[name] = data.get(key) in ("1", "on", "true")
            continue
        raw = (data.get(key) or "").strip()
        if raw == "":
            continue
        case[name] = int(raw) if widget == "int" and raw.isdigit() else raw
    return case


def adjustments(data, *, locked=()) -> dict:
    """The facts the agent set in the form, less those the purchase on file settles."""
    if not submitted(data):
        return {}
    return {name: value for name, value in case_from_form(data).items() if name not in locked}


def case_fields(case: dict, *, locked=()) -> list[dict]:
    """The form's fields with their current values, for the templates."""
    rows = []
    for name, widget, choices in CASE_FORM:
        value = case.get(name, DEFAULTS.get(name))
        if value is None:
            value = ""
        display = value
        if choices is not None:
            display = choices.get(value, value)
        rows.append(
            {
                "name": PREFIX + name,
                "field": name,
                "label": FIELD_LABELS[name],
                "widget": widget,
                "value": value,
                "choices": list(choices.items()) if choices else (),
                "locked": name in locked,
                "display": display,
            }
        )
    return rows
