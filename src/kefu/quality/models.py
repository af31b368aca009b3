"""Service quality (服务质量): phrase overrides and the quality policy, the complaint guide per
ticket, QA reviews and their weekly samples, staff self-assessments."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.org.roles import Role

from . import rules
from .language import Checker, load_packs

_DEFAULTS = rules.load("scorecard")["defaults"]


def default_override_roles() -> list[str]:
    return list(_DEFAULTS["allow_override_roles"])


class Severity(models.TextChoices):
    BLOCK = "block", _("Block")
    WARN = "warn", _("Warn")
    HINT = "hint", _("Hint")


class QualityPolicy(models.Model):
    """The manager's settings for service quality: one row (pk=1), seeded from the data pack."""

    allow_override_roles = models.JSONField(
        _("roles that may send despite a forbidden phrase"),
        default=default_override_roles,
        blank=True,
        help_text=_(
            'Role codes, e.g. ["store_manager", "cs_manager"]. Every override is recorded on the ticket.'
        ),
    )
    sample_per_agent_week = models.PositiveSmallIntegerField(
        _("QA sample per agent per week"), default=_DEFAULTS["sample_per_agent_week"]
    )
    procedure_strong_at = models.DecimalField(
        _("procedure side is strong from"),
        max_digits=3,
        decimal_places=2,
        default=Decimal(_DEFAULTS["procedure_strong_at"]),
    )
    personal_strong_at = models.DecimalField(
        _("personal side is strong from"),
        max_digits=3,
        decimal_places=2,
        default=Decimal(_DEFAULTS["personal_strong_at"]),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service-quality settings")
        verbose_name_plural = _("service-quality settings")

    def __str__(self):
        return str(_("Service-quality settings"))

    @classmethod
    def current(cls) -> "QualityPolicy":
        """The saved settings, or the shipped defaults (unsaved, pk=1: saving creates the row).
        Reading never writes, so a GET or a reply check does not race to create the row."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def clean(self):

        unknown = sorted(set(self.allow_override_roles or []) - set(Role.values))
        if unknown:
            raise ValidationError(
                {
                    "allow_override_roles": _("Unknown roles: %(roles)s")
                    % {"roles": ", ".join(unknown)}
                }
            )
        for name in ("procedure_strong_at", "personal_strong_at"):
            if not Decimal(1) <= getattr(self, name) <= Decimal(5):
                raise ValidationError({name: _("A threshold lies between 1 and 5.")})


class PhraseOverride(models.Model):
    """An admin's change to the forbidden-phrase pack: edit a shipped rule by its code (empty
    fields keep the shipped value), switch it off, or add a new one (needs a phrase)."""

    code = models.CharField(
        _("rule code"),
        max_length=60,
        unique=True,
        help_text=_("e.g. forbidden.wo_bu_zhi_dao, or a new code such as forbidden.local_1"),
    )
    phrase = models.CharField(_("phrase"), max_length=100, blank=True)
    variants = models.JSONField(
        _("variants"),
        default=list,
        blank=True,
        help_text=_(
            "A list of patterns; * allows a few filler characters. Replaces the shipped variants when given."
        ),
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    explanation = models.CharField(_("explanation"), max_length=300, blank=True)
    suggestion = models.CharField(_("suggestion"), max_length=300, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("forbidden-phrase override")
        verbose_name_plural = _("forbidden-phrase overrides")

    def __str__(self):
        return self.code

    def as_override(self) -> dict:
        """The pack-entry dict language.load_packs() merges (only the fields given)."""
        row = {"code": self.code, "enabled": self.enabled}
        for name in ("phrase", "severity", "explanation", "suggestion"):
            if getattr(self, name):
                row[name] = getattr(self, name)
        if self.variants:
            row["variants"] = list(self.variants)
        return row

    def clean(self):

        try:
            Checker(load_packs([self.as_override()]))
        except (ValueError, KeyError) as exc:
            raise ValidationError(str(exc)) from exc


class ComplaintGuide(models.Model):
    """The complaint guide of one complaint ticket: the six steps ticked so far and the root cause."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="complaint_guide"
    )
    # step code → {"at": ISO time, "by": username}; a step absent is not done.
    steps = models.JSONField(default=dict, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=40, blank=True)
    root_cause_note = models.CharField(_("root-cause note"), max_length=500, blank=True)
    summary_event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("complaint guide")
        verbose_name_plural = _("complaint guides")
        indexes = [models.Index(fields=["root_cause"], name="guide_root_cause")]

    def __str__(self):
        return f"{self.ticket_id} {self.root_cause}"


class ServiceType(models.TextChoices):
    COLD = "cold", _("Cold service")
    PRODUCTION_LINE = "production_line", _("Production-line service")
    FRIENDLY = "friendly", _("Friendly service")
    QUALITY = "quality", _("Quality service")


class QaReview(models.Model):
    """A QA monitor's scorecard (质检评分) of one ticket: 7 procedure + 7 personal standards, 1–5."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="qa_reviews"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_reviews_received"
    )
    # The ticket's store at review time: store summaries group by it without a join.
    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="qa_reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_reviews_made"
    )
    # standard code → {"score": 1–5, "note": "..."}
    scores = models.JSONField(default=dict)
    procedure_score = models.DecimalField(max_digits=3, decimal_places=2)
    personal_score = models.DecimalField(max_digits=3, decimal_places=2)
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("QA review")
        verbose_name_plural = _("QA reviews")
        indexes = [
            models.Index(fields=["agent", "-created_at"], name="qa_review_agent"),
            models.Index(fields=["store", "-created_at"], name="qa_review_store"),
            models.Index(fields=["-created_at"], name="qa_review_recent"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.service_type}"


class QaSample(models.Model):
    """One ticket drawn for review in a week's random sample (not chosen by anyone)."""

    week = models.DateField(_("week (Monday)"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="qa_samples"
    )
    # A ForeignKey, not one-to-one: a ticket resolved again in a later week can be drawn twice,
    # and one scorecard then closes both draws.
    review = models.ForeignKey(
        QaReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="samples"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week", "agent_id", "ticket_id"]
        verbose_name = _("QA sample")
        verbose_name_plural = _("QA samples")
        constraints = [
            models.UniqueConstraint(fields=["week", "ticket"], name="qa_sample_week_ticket")
        ]
        indexes = [models.Index(fields=["week", "review"], name="qa_sample_open")]

    def __str__(self):
        return f"{self.week} {self.ticket_id}"


class SelfAssessment(models.Model):
    """A staff member's self-assessment (自我评估): ten statements scored 10–1, kept over time."""

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.CASCADE, related_name="self_assessments"
    )
    answers = models.JSONField(default=list)
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        indexes = [models.Index(fields=["staff", "-created_at"], name="self_assessment_staff")]

    def __str__(self):
        return f"{self.staff_id} {self.total}"
