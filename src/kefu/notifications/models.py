"""In-app notifications (站内通知): the desk bell and its page; e-mail copies when mail is set up."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")
    ESCALATED = "escalated", _("Escalated to you")
    CUSTOMER_VOICE = "customer_voice", _("The customer's voice")
    HOTLINE_CALL = "hotline_call", _("Incoming call")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook switched off")
    PARTS_LIMIT = "parts_limit", _("三包 parts limit near")
    REPAIRER_LIMIT = "repairer_limit", _("三包 repair-time limit near")
    LOST_FOUND_OVERDUE = "lost_found_overdue", _("Found items past their keeping period")
    EXPORT = "export", _("An export")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    # Written once, in the site's language, when the event happens (the sweep has no reader).
    text = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient"),
            # The bell counts unread ones on every desk page: a small partial index.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return f"{self.recipient_id} {self.kind}"
