"""The seeded defaults of the customer's voice are data/defaults.v1.json, row for row: a fresh
database (migrated, so seeded by the data migration) holds exactly what the file says."""

from decimal import Decimal

import pytest

from kefu.feedback.models import CompensationLimit, FeedbackSettings, FollowUpRule, SurveyQuestion
from kefu.feedback.seed import defaults, seed_defaults

pytestmark = pytest.mark.django_db


def limit(value):
    return Decimal(value) if value is not None else None


def test_the_seeded_questions_equal_the_file():
    rows = list(SurveyQuestion.objects.order_by("position").values())
    assert [{k: r[k] for k in ("code", "text", "text_en", "position")} for r in rows] == defaults()[
        "survey_questions"
    ]
    assert all(r["is_active"] for r in rows)


def test_the_seeded_followup_rules_equal_the_file():
    rows = list(FollowUpRule.objects.order_by("id").values())
    fields = ("name", "ticket_type", "days_after_resolution", "sample_percent")
    assert [{k: r[k] for k in fields} for r in rows] == defaults()["followup_rules"]
    assert all(r["is_active"] and r["script"] == "" for r in rows)


def test_the_seeded_compensation_limits_equal_the_file():
    seeded = dict(CompensationLimit.objects.values_list("role", "limit"))
    shipped = {item["role"]: limit(item["limit"]) for item in defaults()["compensation_limits"]}
    assert seeded == shipped
    # The ladder the approval rules were written against (a changed file is a deliberate change).
    assert shipped == {
        "store_staff": Decimal("50"),
        "store_manager": Decimal("500"),
        "regional_manager": Decimal("2000"),
        "cs_manager": None,
    }


def test_the_settings_row_is_seeded_with_the_model_defaults():
    settings = FeedbackSettings.objects.get()
    assert settings.pk == 1
    assert (settings.low_score_threshold, settings.survey_valid_days) == (2, 30)


def test_seeding_again_creates_nothing_and_keeps_what_admins_edited():
    CompensationLimit.objects.filter(role="store_staff").update(limit=Decimal("80"))
    SurveyQuestion.objects.filter(code="solved").update(text="问题解决了吗")
    assert seed_defaults() == 0
    assert CompensationLimit.objects.get(role="store_staff").limit == Decimal("80")
    assert SurveyQuestion.objects.get(code="solved").text == "问题解决了吗"


def test_a_deleted_default_comes_back_on_seeding():
    FollowUpRule.objects.filter(ticket_type="fault_report").delete()
    assert seed_defaults() == 1
    assert FollowUpRule.objects.get(ticket_type="fault_report").sample_percent == 20
