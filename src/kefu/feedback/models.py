"""The customer's voice (倾听顾客): satisfaction surveys (满意度调查), follow-up calls (回访),
feedback cards (意见卡) and compensation / goodwill (补偿与善意补偿).

Every number the business may want to change (low-score threshold, call rules, sample sizes,
approval limits, survey questions) is an admin-editable row with a seeded default."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kefu.org.roles import Role, Tier
from kefu.tickets.models import TicketType


def new_token() -> str:
    return secrets.token_urlsafe(24)


class FeedbackSettings(models.Model):
    """One row of numbers for surveys and follow-up calls (seeded; edit in the admin)."""

    low_score_threshold = models.PositiveSmallIntegerField(
        _("low satisfaction score"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_(
            "An overall score at or below this reopens the ticket to the store manager with a follow-up call."
        ),
    )
    survey_valid_days = models.PositiveSmallIntegerField(
        _("survey open for (days)"), default=30, validators=[MinValueValidator(1)]
    )
    call_due_days = models.PositiveSmallIntegerField(
        _("days to make a follow-up call"),
        default=2,
        help_text=_(
            "A call task is due this many days after it becomes due to be made; after that it is overdue."
        ),
    )
    max_call_attempts = models.PositiveSmallIntegerField(
        _("call attempts before giving up"), default=3, validators=[MinValueValidator(1)]
    )
    lookback_days = models.PositiveSmallIntegerField(
        _("catch-up window (days)"),
        default=14,
        help_text=_(
            "The daily sweep also creates calls missed on earlier days, up to this many days back."
        ),
    )

    class Meta:
        verbose_name = _("feedback settings")
        verbose_name_plural = _("feedback settings")

    def __str__(self):
        return str(_("Feedback settings"))

    @classmethod
    def current(cls) -> "FeedbackSettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class SurveyQuestion(models.Model):
    """One question of the satisfaction survey besides the overall score, answered 1–5."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    text = models.CharField(_("question (Chinese)"), max_length=200)
    text_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self):
        return self.text

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("en") and self.text_en:
            return self.text_en
        return self.text


class Survey(models.Model):
    """The satisfaction survey of one resolved ticket: one per ticket, answered at most once."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="survey")
    # Denormalised from the ticket so that scoped lists and per-store averages are one index range.
    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    # Its own unguessable link (/survey/<token>/), so a mail never carries the tracking token.
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("open until"))
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    csat = models.PositiveSmallIntegerField(
        _("overall satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [
            models.Index(fields=["store", "-answered_at"], name="survey_store_answered"),
            models.Index(fields=["region", "-answered_at"], name="survey_region_answered"),
            models.Index(fields=["-answered_at"], name="survey_answered"),
        ]

    def __str__(self):
        return f"{self.ticket_id} CSAT {self.csat or '—'}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class SurveyAnswer(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="survey_answer_once")
        ]

    def __str__(self):
        return f"{self.question_id}: {self.score}"


class FollowUpRule(models.Model):
    """When to call a customer back (回访规则): tickets of a type, N days after resolution, a sample."""

    name = models.CharField(_("name"), max_length=100)
    ticket_type = models.CharField(_("ticket type"), max_length=20, choices=TicketType.choices)
    days_after_resolution = models.PositiveSmallIntegerField(_("days after resolution"), default=3)
    sample_percent = models.PositiveSmallIntegerField(
        _("sample (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "100 calls every customer; 20 calls one in five, picked the same way every time."
        ),
    )
    script = models.TextField(
        _("call script"),
        blank=True,
        help_text=_(
            "Blank uses the shipped script. Placeholders: {greeting}, {honorific}, {store}, {agent}, {number}, {subject}, {resolved_on}."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")

    def __str__(self):
        return self.name


class FollowUpReason(models.TextChoices):
    RULE = "rule", _("Follow-up call")
    LOW_SCORE = "low_score", _("Low satisfaction score")
    UNSATISFIED = "unsatisfied", _("Unsatisfied on a call")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")
    SATISFIED = "satisfied", _("Satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class FollowUp(models.Model):
    """A follow-up call to make (回访任务): by rule, after a low survey score, or after an unhappy call."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="followups")
    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    # PROTECT: a rule with calls behind it is switched off, not deleted, so history keeps its reason.
    rule = models.ForeignKey(
        FollowUpRule, null=True, blank=True, on_delete=models.PROTECT, related_name="followups"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=FollowUpReason.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_followups",
        verbose_name=_("assignee"),
    )
    due_on = models.DateField(_("due"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        constraints = [
            # The daily sweep may run twice (or late): a rule calls about a ticket once.
            models.UniqueConstraint(
                fields=["ticket", "rule"],
                condition=Q(rule__isnull=False),
                name="followup_once_per_rule",
            ),
        ]
        indexes = [
            # Open calls by due date, per store / region / everyone: the to-do and overdue lists.
            models.Index(
                fields=["store", "due_on"],
                condition=Q(done_at__isnull=True),
                name="followup_open_store",
            ),
            models.Index(
                fields=["region", "due_on"],
                condition=Q(done_at__isnull=True),
                name="followup_open_region",
            ),
            models.Index(
                fields=["due_on"], condition=Q(done_at__isnull=True), name="followup_open"
            ),
            models.Index(fields=["ticket", "id"], name="followup_ticket"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.get_reason_display()} {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None


class CardCategory(models.TextChoices):
    PRAISE = "praise", _("Praise")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class FeedbackCard(models.Model):
    """A feedback card (意见卡) left on the portal, anonymous or signed, for one store's manager."""

    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=CardCategory.choices)
    text = models.TextField(_("text"))
    # Null for an anonymous card; signed cards are linked to the customer with that mobile number.
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_cards",
        verbose_name=_("customer"),
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handling_note = models.TextField(_("what was done"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ticket"),
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("feedback card")
        verbose_name_plural = _("feedback cards")
        indexes = [
            models.Index(fields=["store", "-id"], name="card_store"),
            models.Index(fields=["region", "-id"], name="card_region"),
            models.Index(
                fields=["store", "-id"], condition=Q(handled_at__isnull=True), name="card_store_new"
            ),
        ]

    def __str__(self):
        return f"{self.store_id} {self.get_category_display()} {self.created_at:%Y-%m-%d}"

    @property
    def is_anonymous(self) -> bool:
        return self.customer_id is None


class CompensationLimit(models.Model):
    """How much compensation a role may approve on its own (审批权限). Blank limit: unlimited;
    a role without a row may request but not approve."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, unique=True)
    limit = models.DecimalField(
        _("limit (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Blank means unlimited."),
    )

    class Meta:
        ordering = ["limit"]
        verbose_name = _("compensation limit")
        verbose_name_plural = _("compensation limits")

    def __str__(self):
        return f"{self.get_role_display()}: {self.limit if self.limit is not None else '∞'}"


class CompensationKind(models.TextChoices):
    CASH = "cash", _("Cash or refund")
    VOUCHER = "voucher", _("Voucher")
    GIFT = "gift", _("Gift")


class CompensationPurpose(models.TextChoices):
    # Seed 001: compensate real losses caused by our own mistakes; seed 003: give an unhappy
    # customer a little more than was promised.
    LOSS = "loss", _("Compensation for a loss we caused")
    GOODWILL = "goodwill", _("Goodwill gesture")


class CompensationStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Compensation(models.Model):
    """Money, a voucher or a gift for a customer on a ticket, approved by the rung whose limit covers it."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="compensations"
    )
    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=CompensationKind.choices)
    purpose = models.CharField(_("purpose"), max_length=10, choices=CompensationPurpose.choices)
    # Yuan with fen precision; a gift or voucher carries its value so that limits apply to it too.
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    gift = models.CharField(_("gift"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CompensationStatus.choices,
        default=CompensationStatus.REQUESTED,
    )
    # The lowest rung whose limit covers the amount, when it was requested (who is asked to decide).
    awaiting_tier = models.CharField(_("awaiting"), max_length=20, choices=Tier.choices, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="compensation_amount_positive")
        ]
        indexes = [
            models.Index(fields=["store", "status", "-decided_at"], name="comp_store_status"),
            models.Index(fields=["region", "status", "-decided_at"], name="comp_region_status"),
            models.Index(fields=["status", "-decided_at"], name="comp_status"),
            models.Index(fields=["ticket", "id"], name="comp_ticket"),
        ]

    def __str__(self):
        return f"{self.ticket_id} ¥{self.amount} {self.status}"
