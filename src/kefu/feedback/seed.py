"""Seed the admin-editable defaults of the customer's voice from ``kefu/feedback/data/``.

The defaults are versioned data, not code: the data migration loads ``defaults.v1.json`` by
name, so a later ``defaults.v2.json`` cannot change what an old migration did. Idempotent:
rows that exist (by question code, rule type + name, role) are left as the admins edited them."""

import json
from decimal import Decimal
from importlib import resources

DEFAULTS = "defaults.v1.json"


def defaults(name: str = DEFAULTS) -> dict:
    return json.loads(resources.files("kefu.feedback").joinpath(f"data/{name}").read_text("utf-8"))


def seed_defaults(apps=None, name: str = DEFAULTS) -> int:
    """Create the settings row and the missing default rows; returns how many rows it created.

    ``apps`` is a migration's app registry, so the migration seeds through historical models
    (None: the current models)."""
    if apps is None:
        from django.apps import apps
    FeedbackSettings = apps.get_model("feedback", "FeedbackSettings")
    SurveyQuestion = apps.get_model("feedback", "SurveyQuestion")
    FollowUpRule = apps.get_model("feedback", "FollowUpRule")
    CompensationLimit = apps.get_model("feedback", "CompensationLimit")
    data = defaults(name)

    # The one settings row takes its numbers from the model's field defaults.
    _obj, created = FeedbackSettings.objects.get_or_create(pk=1)
    count = int(created)
    for item in data["survey_questions"]:
        fields = {k: v for k, v in item.items() if k != "code"}
        _obj, created = SurveyQuestion.objects.get_or_create(code=item["code"], defaults=fields)
        count += created
    for item in data["followup_rules"]:
        fields = {k: v for k, v in item.items() if k not in ("ticket_type", "name")}
        _obj, created = FollowUpRule.objects.get_or_create(
            ticket_type=item["ticket_type"], name=item["name"], defaults=fields
        )
        count += created
    for item in data["compensation_limits"]:
        limit = item["limit"]
        _obj, created = CompensationLimit.objects.get_or_create(
            role=item["role"], defaults={"limit": Decimal(limit) if limit is not None else None}
        )
        count += created
    return count
