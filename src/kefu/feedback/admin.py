"""Admin: the rules and numbers (questions, call rules, limits, settings) are edited here; the
records themselves (surveys, calls, cards, compensation) change only through their services."""

from django.contrib import admin

from .models import (
    Compensation,
    CompensationLimit,
    FeedbackCard,
    FeedbackSettings,
    FollowUp,
    FollowUpRule,
    Survey,
    SurveyQuestion,
)


@admin.register(FeedbackSettings)
class FeedbackSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "low_score_threshold",
        "survey_valid_days",
        "call_due_days",
        "max_call_attempts",
        "lookback_days",
    )

    def has_add_permission(self, request):
        return not FeedbackSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(admin.ModelAdmin):
    list_display = ("code", "text", "text_en", "position", "is_active")
    list_editable = ("position", "is_active")


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "ticket_type", "days_after_resolution", "sample_percent", "is_active")
    list_filter = ("is_active", "ticket_type")


@admin.register(CompensationLimit)
class CompensationLimitAdmin(admin.ModelAdmin):
    list_display = ("role", "limit")


class ReadOnly(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnly):
    list_display = ("ticket", "store", "csat", "created_at", "answered_at")
    list_filter = ("csat", "store")
    raw_id_fields = ("ticket",)


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnly):
    list_display = ("ticket", "store", "reason", "due_on", "outcome", "done_at")
    list_filter = ("reason", "outcome", "store")
    raw_id_fields = ("ticket",)


@admin.register(FeedbackCard)
class FeedbackCardAdmin(ReadOnly):
    list_display = ("created_at", "store", "category", "handled_at")
    list_filter = ("category", "store")


@admin.register(Compensation)
class CompensationAdmin(ReadOnly):
    list_display = (
        "ticket",
        "store",
        "kind",
        "purpose",
        "amount",
        "status",
        "awaiting_tier",
        "decided_at",
    )
    list_filter = ("status", "kind", "purpose", "store")
    raw_id_fields = ("ticket",)
