from django.contrib import admin

from .models import (
    ComplaintGuide,
    PhraseOverride,
    QaReview,
    QaSample,
    QualityPolicy,
    SelfAssessment,
)


@admin.register(QualityPolicy)
class QualityPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "allow_override_roles",
        "sample_per_agent_week",
        "procedure_strong_at",
        "personal_strong_at",
        "updated_at",
    )

    def has_add_permission(self, request):
        # One row (pk=1); until it is saved, QualityPolicy.current() answers the shipped defaults.
        return not QualityPolicy.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PhraseOverride)
class PhraseOverrideAdmin(admin.ModelAdmin):
    list_display = ("code", "phrase", "severity", "enabled", "updated_at")
    list_filter = ("enabled", "severity")
    search_fields = ("code", "phrase")


@admin.register(ComplaintGuide)
class ComplaintGuideAdmin(admin.ModelAdmin):
    list_display = ("ticket", "root_cause", "updated_at")
    list_filter = ("root_cause",)
    raw_id_fields = ("ticket", "summary_event")
    search_fields = ("ticket__number",)


@admin.register(QaReview)
class QaReviewAdmin(admin.ModelAdmin):
    list_display = (
        "ticket",
        "agent",
        "store",
        "reviewer",
        "procedure_score",
        "personal_score",
        "service_type",
        "created_at",
    )
    list_filter = ("service_type", "store")
    raw_id_fields = ("ticket", "agent", "reviewer")
    search_fields = ("ticket__number",)


@admin.register(QaSample)
class QaSampleAdmin(admin.ModelAdmin):
    list_display = ("week", "agent", "ticket", "review")
    list_filter = ("week",)
    raw_id_fields = ("ticket", "agent", "review")


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(admin.ModelAdmin):
    list_display = ("staff", "total", "band", "created_at")
    list_filter = ("band",)
