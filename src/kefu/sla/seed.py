"""Seed the admin-editable SLA rows from ``kefu/sla/data/*.json``.

Used by the data migration (with historical models) and by tests after a database flush.
Idempotent: rows that exist, by name / code, are left as the admins edited them."""

import json
from importlib import resources

# The seeded calendar the customer-service department works on.
CS_DEPARTMENT_CALENDAR = "hotline"


def data(name: str) -> dict:
    return json.loads(resources.files("kefu.sla").joinpath(f"data/{name}").read_text("utf-8"))


def seed_calendars(Calendar) -> int:
    created = 0
    for item in data("calendars.json")["calendars"]:
        _obj, new = Calendar.objects.get_or_create(
            name=item["name"],
            defaults={
                "description": item.get("description", ""),
                "tz": item.get("tz", "Asia/Shanghai"),
                "weekly": item.get("weekly", {}),
                "observe_holidays": item.get("observe_holidays", False),
                "workday_periods": item.get("workday_periods"),
                "always_open": item.get("always_open", False),
                "serves_cs_department": item["name"] == CS_DEPARTMENT_CALENDAR
                and not Calendar.objects.filter(serves_cs_department=True).exists(),
            },
        )
        created += new
    return created


def seed_policies(SlaPolicy) -> int:
    created = 0
    for item in data("policies.json")["policies"]:
        fields = {k: v for k, v in item.items() if k != "code"}
        _obj, new = SlaPolicy.objects.get_or_create(code=item["code"], defaults=fields)
        created += new
    return created


def seed_rules(SpecialCaseRule) -> int:
    """The special-case rules of ``special_cases.v1.json``, by code (lists become lines)."""
    created = 0
    for item in data("special_cases.v1.json")["rules"]:
        defaults = {
            "category": item["category"],
            "patterns": "\n".join(item["patterns"]),
            "context": "\n".join(item.get("context", [])),
            "exclusions": "\n".join(item.get("exclusions", [])),
            "negatable": item.get("negatable", True),
            "note": item.get("note", ""),
        }
        _obj, new = SpecialCaseRule.objects.get_or_create(code=item["code"], defaults=defaults)
        created += new
    return created


def seed_all(apps=None) -> int:
    """Seed every SLA table; ``apps`` is a migration's app registry (None: the current models)."""
    if apps is None:
        from django.apps import apps
    return (
        seed_calendars(apps.get_model("sla", "Calendar"))
        + seed_policies(apps.get_model("sla", "SlaPolicy"))
        + seed_rules(apps.get_model("sla", "SpecialCaseRule"))
    )
