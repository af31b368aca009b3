from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import rules


class LostItemStatus(models.TextChoices):
    KEPT = "kept", _("Kept for its owner")
    CLAIMED = "claimed", _("Claimed")
    DISPOSED = "disposed", _("Disposed of")


class HandedTo(models.TextChoices):
    DUTY_MANAGER = "duty_manager", _("Duty manager")
    LOSS_PREVENTION_LEAD = "loss_prevention_lead", _("Loss-prevention shift lead")


class Disposal(models.TextChoices):
    POLICE = "returned_to_lost_property", _("Handed to the police / lost property office")
    DONATED = "donated", _("Donated")
    DESTROYED = "destroyed", _("Destroyed")


class LostItem(models.Model):
    """One row of the lost-and-found register (seed 001 (五)1(6))."""

    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    item = models.CharField(_("item"), max_length=100)
    found_place = models.CharField(_("where found"), max_length=100)
    found_at = models.DateTimeField(_("when found"))
    found_by = models.CharField(_("found by"), max_length=50)
    handed_to = models.CharField(_("handed to"), max_length=30, choices=HandedTo.choices)
    handed_to_name = models.CharField(_("name of the duty manager"), max_length=50)
    status = models.CharField(
        _("status"), max_length=10, choices=LostItemStatus.choices, default=LostItemStatus.KEPT
    )
    claimed_by = models.CharField(_("claimed by"), max_length=50, blank=True)
    # Only the masked number is ever stored (first 3, last 4): the check was made, the number kept out.
    claimant_id_masked = models.CharField(_("ID number (masked)"), max_length=30, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposal = models.CharField(_("disposal"), max_length=30, choices=Disposal.choices, blank=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        indexes = [models.Index(fields=["store", "status", "found_at"], name="lost_item_store")]
        verbose_name = _("lost item")
        verbose_name_plural = _("lost and found")

    def __str__(self):
        return self.item

    @property
    def keep_until(self):
        from django.utils import timezone

        return rules.keep_until(timezone.localdate(self.found_at))


class TrainingResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed, to retake")
    ATTENDED = "attended", _("Attended")


class TrainingRecord(models.Model):
    """A course a staff member took (seed 001 4.1 培训和发展员工)."""

    staff = models.ForeignKey("org.Staff", on_delete=models.CASCADE, related_name="trainings")
    course = models.CharField(_("course"), max_length=100)
    held_on = models.DateField(_("date"))
    trainer = models.CharField(_("trainer"), max_length=50)
    result = models.CharField(_("result"), max_length=10, choices=TrainingResult.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")

    def __str__(self):
        return self.course


class EtiquetteCheck(models.Model):
    """A manager's daily etiquette / appearance check of one staff member: the items ticked
    (codes of data/registers.v1.json "etiquette"); the rest were not met that day."""

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.CASCADE, related_name="etiquette_checks"
    )
    day = models.DateField(_("day"))
    met = models.JSONField(default=list)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "day"], name="one_etiquette_check_a_day")
        ]
        verbose_name = _("etiquette check")
        verbose_name_plural = _("etiquette checks")

    def __str__(self):
        return f"{self.staff_id} {self.day}"


class VoiceNote(models.Model):
    """What a customer said, reported by the staff member who heard it (seed 000)."""

    store = models.ForeignKey(
        "org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    product_model = models.ForeignKey(
        "catalog.ProductModel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("product model"),
    )
    theme = models.CharField(_("theme"), max_length=20)
    text = models.CharField(_("what the customer said"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("voice-of-customer note")
        verbose_name_plural = _("voice of the customer")

    def __str__(self):
        return self.text[:30]
