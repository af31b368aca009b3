"""Seeded defaults (edit them in the admin): the survey's three questions (the seeds' 及时 /
态度 / 解决), the two call rules, the approval limits per role, and the settings row."""

from decimal import Decimal

from django.db import migrations

QUESTIONS = [
    ("timely", "响应是否及时", "Was our response timely?", 1),
    ("attitude", "服务态度", "How was our staff's attitude?", 2),
    ("solved", "问题是否解决", "Was your problem solved?", 3),
]
RULES = [
    # (name, ticket type, days after resolution, sample %)
    ("投诉回访：结案后3天，全部回访", "complaint", 3, 100),
    ("维修回访：结案后7天，抽样20%", "fault_report", 7, 20),
]
LIMITS = [
    ("store_staff", "50.00"),
    ("store_manager", "500.00"),
    ("regional_manager", "2000.00"),
    ("cs_manager", None),
]


def seed(apps, schema_editor):
    FeedbackSettings = apps.get_model("feedback", "FeedbackSettings")
    SurveyQuestion = apps.get_model("feedback", "SurveyQuestion")
    FollowUpRule = apps.get_model("feedback", "FollowUpRule")
    CompensationLimit = apps.get_model("feedback", "CompensationLimit")
    FeedbackSettings.objects.get_or_create(pk=1)
    for code, text, text_en, position in QUESTIONS:
        SurveyQuestion.objects.get_or_create(
            code=code, defaults={"text": text, "text_en": text_en, "position": position}
        )
    for name, ticket_type, days, percent in RULES:
        FollowUpRule.objects.get_or_create(
            ticket_type=ticket_type,
            name=name,
            defaults={"days_after_resolution": days, "sample_percent": percent},
        )
    for role, limit in LIMITS:
        CompensationLimit.objects.get_or_create(
            role=role, defaults={"limit": Decimal(limit) if limit else None}
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
