"""The ticket (工单) and its timeline: every customer contact becomes one, and none is lost."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.org.roles import Tier


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("Pre-sales consultation")
    ORDER = "order", _("Order question")
    DELIVERY = "delivery", _("Delivery")
    INSTALLATION = "installation", _("Installation and set-up")
    FAULT_REPORT = "fault_report", _("Fault report / repair")
    RETURN_EXCHANGE = "return_exchange", _("Return or exchange")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion / feedback")
    TRAINING = "training", _("After-sales training")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    PHONE = "phone", _("Hotline")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web portal")
    CHAT = "chat", _("Online chat")
    SOCIAL = "social", _("Social media")
    STORE = "store", _("Store counter")
    API = "api", _("API")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Waiting for customer")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.URGENT: 4, Priority.HIGH: 3, Priority.NORMAL: 2, Priority.LOW: 1}
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=TicketType.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    # Sortable priority (urgent=4 … low=1), so "sort by priority" is an index scan.
    priority_rank = models.PositiveSmallIntegerField(default=2, editable=False)
    # store, region, assignee and customer have no index of their own: the composite indexes
    # in Meta begin with them (one index less to write per new ticket, and to build on a load).
    store = models.ForeignKey(
        "org.Store",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("store"),
        db_index=False,
    )
    # Denormalised from the store so that a regional manager's queue is one index range.
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
        db_index=False,
    )
    escalation_tier = models.CharField(
        _("escalation tier"), max_length=20, choices=Tier.choices, default=Tier.STORE_STAFF
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("customer"),
        db_index=False,
    )
    purchase = models.ForeignKey(
        "customers.Purchase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("purchase"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: every write bumps it; a write that names an older one is refused (409).
    version = models.PositiveIntegerField(default=1)
    # The customer's private tracking link (/t/<token>/): unguessable, never listed.
    tracking_token = models.CharField(
        max_length=40, unique=True, default=new_tracking_token, editable=False
    )
    # jieba-segmented number, subject, description and customer name, for full-text search.
    search_text = models.TextField(blank=True, editable=False)
    # SLA (kefu.sla owns the clocks; these copies keep the API, the queue and the sweep free of
    # joins). *_due: due time of the clock still running or paused for that target, else null.
    sla_policy = models.CharField(_("SLA policy"), max_length=40, blank=True, editable=False)
    first_response_due = models.DateTimeField(
        _("first response due"), null=True, blank=True, editable=False
    )
    next_reply_due = models.DateTimeField(
        _("next reply due"), null=True, blank=True, editable=False
    )
    resolution_due = models.DateTimeField(
        _("resolution due"), null=True, blank=True, editable=False
    )
    # 承诺解决时间: the solution timetable given to the customer in the first response.
    solution_promised_at = models.DateTimeField(
        _("solution promised by"), null=True, blank=True, editable=False
    )
    # Earliest due time of the running clocks and its 75% warning instant: the queue's "due"
    # sort and its green / amber / red badges. Null while paused or when nothing is owed.
    sla_due = models.DateTimeField(null=True, blank=True, editable=False)
    sla_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The next instant the SLA sweep has work here (a warning or a breach): the sweep reads
    # only `sla_next_due <= now`, through a partial index, whatever the number of open tickets.
    sla_next_due = models.DateTimeField(null=True, blank=True, editable=False)
    sla_paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_breached = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["store", "status", "-id"], name="ticket_store_status"),
            models.Index(fields=["region", "status", "-id"], name="ticket_region_status"),
            models.Index(fields=["status", "-id"], name="ticket_status"),
            models.Index(fields=["status", "-priority_rank", "-id"], name="ticket_status_priority"),
            models.Index(fields=["store", "-id"], name="ticket_store_recent"),
            models.Index(fields=["region", "-id"], name="ticket_region_recent"),
            models.Index(fields=["assignee", "status", "-id"], name="ticket_assignee"),
            models.Index(fields=["customer", "-id"], name="ticket_customer"),
            models.Index(fields=["escalation_tier", "status", "-id"], name="ticket_tier"),
            models.Index(
                fields=["sla_next_due"],
                condition=models.Q(sla_next_due__isnull=False),
                name="ticket_sla_next_due",
            ),
            models.Index(fields=["sla_due", "id"], name="ticket_sla_due"),
            models.Index(fields=["store", "sla_due", "id"], name="ticket_store_sla_due"),
            # Reports (kefu.analytics): tickets opened / resolved in a period, chain or store.
            models.Index(fields=["created_at"], name="ticket_created"),
            models.Index(fields=["store", "created_at"], name="ticket_store_created"),
            models.Index(fields=["region", "created_at"], name="ticket_region_created"),
            models.Index(fields=["resolved_at"], name="ticket_resolved"),
            models.Index(fields=["store", "resolved_at"], name="ticket_store_resolved"),
            # The backlog of the whole chain: open tickets by age and rung, read from the index
            # alone (the rung and id are key columns: SQLite has no INCLUDE).
            models.Index(
                fields=["created_at", "escalation_tier", "id"],
                condition=models.Q(status__in=["new", "open", "pending_customer", "on_hold"]),
                name="ticket_open_age",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketCounter(models.Model):
    """Last ticket number handed out per day (KF-YYYYMMDD-NNNNNN)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day:%Y%m%d}: {self.last}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    REPLY = "reply", _("Reply to customer")
    NOTE = "note", _("Internal note")
    CUSTOMER_MESSAGE = "customer_message", _("Message from customer")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    ESCALATED = "escalated", _("Escalated")
    UPDATED = "updated", _("Details changed")
    ATTACHMENT = "attachment", _("Attachment added")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")
    SOLUTION_TIMETABLE = "solution_timetable", _("Solution timetable")
    ERASED = "erased", _("Customer data anonymised")


class TicketEvent(models.Model):
    """One line of a ticket's timeline: who did what, when, and what changed."""

    # No index of its own: Meta's (ticket, id) index begins with it.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Public events are shown to the customer on the portal; internal notes and most system events are not.
    public = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["ticket", "id"], name="event_ticket"),
            # Reports: escalations and reopenings in a period.
            models.Index(fields=["kind", "created_at"], name="event_kind_created"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.kind}"


def attachment_path(instance, filename):
    return f"attachments/{instance.ticket_id}/{instance.sha256[:16]}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class IdempotencyKey(models.Model):
    """A retried POST with the same Idempotency-Key answers the first ticket; the same key with a
    different request is refused (the hash of the first request's body is kept to tell)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    # SHA-256 of the request's content, hex; blank for keys from before it was kept (and from
    # the desk's form keys), which are not compared.
    request_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")]

    def __str__(self):
        return self.key


class SavedView(models.Model):
    """A named set of queue filters (已保存的视图). An agent's own; a manager may share one with
    where they work: their store, their region, or (CS department) the whole chain."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=40)
    # The queue's filters, e.g. {"status": ["new"], "store": "SH001", "sort": "due"}.
    filters = models.JSONField(default=dict, blank=True)
    shared = models.BooleanField(_("shared with colleagues"), default=False)
    # Where a shared view is seen: the owner's store, else their region, else (both empty) the
    # whole chain. Kept from the owner's profile when the view is saved.
    store = models.ForeignKey(
        "org.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "org.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_owner_name")
        ]
        indexes = [models.Index(fields=["shared", "store", "region"], name="saved_view_shared")]

    def __str__(self):
        return self.name
