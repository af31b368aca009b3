"""The delivery log (one row per outbound message to a customer) and the customer's channel
details that the customers app does not hold (a WeChat openid, opt-outs), plus inbound mail ids
for threading."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Medium(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Delivery(models.Model):
    """One message to a customer about a ticket. ``to`` is the real address (needed to send and
    to retry); everything shown or logged uses ``to_masked``."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Medium.choices)
    to = models.CharField(max_length=254)
    to_masked = models.CharField(max_length=254)
    template = models.CharField(_("template"), max_length=40)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    backend = models.CharField(max_length=20, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # Held back by quiet hours, or waiting for the next retry.
    not_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("message delivery")
        verbose_name_plural = _("message deliveries")
        indexes = [
            models.Index(fields=["ticket", "id"], name="delivery_ticket"),
            models.Index(fields=["status", "not_before"], name="delivery_due"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.channel} {self.template} {self.status}"


class CustomerChannel(models.Model):
    """What the customer gave us beyond the customer record: a WeChat openid bound by mobile and
    one-time code, and per-channel opt-outs (退订)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="channels"
    )
    channel = models.CharField(max_length=10, choices=Medium.choices)
    address = models.CharField(max_length=254, blank=True)
    opted_out = models.BooleanField(default=False)
    # WeChat: when the customer last wrote to the account. Customer-service messages are
    # accepted only within 48 hours of it; later notices go as template messages.
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer channel")
        verbose_name_plural = _("customer channels")
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel"], name="one_channel_row"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.channel}"


class InboundMail(models.Model):
    """Every mail taken in, by Message-ID: a replayed or re-polled mail is never taken twice,
    and a reply's In-Reply-To / References find their ticket here."""

    message_id = models.CharField(max_length=300, unique=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.message_id} {self.outcome}"


class Webhook(models.Model):
    """An integrator's endpoint for ticket events (created, replied, escalated, breached,
    resolved): HMAC-signed POSTs, retried with backoff, switched off after repeated failures."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200)
    events = models.JSONField(_("events"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=30)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "not_before"], name="webhook_due")]

    def __str__(self):
        return f"{self.webhook_id} {self.event} {self.status}"


class CallStatus(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", _("Ended")
    MISSED = "missed", _("Missed")
    LOGGED = "logged", _("Logged at the desk")


class Call(models.Model):
    """One hotline call: from the call-centre's events (by its call_id) or logged at the desk.
    A missed call whose ``called_back_at`` is empty is a callback task (待回拨). ``phone`` is
    the real number (needed to call back); pages and logs show ``phone_masked``."""

    call_id = models.CharField(max_length=100, unique=True)
    phone = models.CharField(max_length=20)
    phone_masked = models.CharField(max_length=20)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=CallStatus.choices)
    duration = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    called_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        indexes = [
            models.Index(fields=["status", "called_back_at"], name="call_callbacks"),
            models.Index(fields=["agent", "-id"], name="call_agent"),
        ]

    def __str__(self):
        return f"{self.call_id} {self.status}"
