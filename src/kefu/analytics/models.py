"""The one stored thing of the reports: each manager's weekly report (the figures are computed
from the tickets; this keeps what was sent, so a manager reads the week as it was mailed)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WeeklyReport(models.Model):
    """One manager's numbers for one week (Monday to Sunday, Asia/Shanghai), built once by the
    Monday task; one row per manager and week, so a repeated run adds and mails nothing."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_reports"
    )
    week_start = models.DateField(_("week of"))
    scope = models.JSONField(default=dict)  # Scope.as_json() at the time
    data = models.JSONField(default=dict)  # the summary and the week before's headline numbers
    created_at = models.DateTimeField(auto_now_add=True)
    mailed_to = models.CharField(max_length=254, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["manager", "week_start"], name="one_report_a_week")
        ]

    def __str__(self):
        return f"{self.manager_id} {self.week_start}"


class TicketColumns(models.Model):
    """The ticket's filter columns every fact row repeats (a report's scope and filters are then
    one index range on the fact table, never a join to the tickets)."""

    store = models.ForeignKey(
        "org.Store", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    type = models.CharField(max_length=30)
    channel = models.CharField(max_length=20)
    priority = models.CharField(max_length=10)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        abstract = True

    #: the ticket's own fields behind them, as ``Ticket.objects.values()`` names them
    SOURCE = ("store_id", "region_id", "type", "channel", "priority", "assignee_id")

    @classmethod
    def columns_of(cls, ticket: dict) -> dict:
        return {name: ticket[name] for name in cls.SOURCE}


class TicketFact(TicketColumns):
    """One narrow row per ticket with what the summary report reads (issue 11, "Numbers"):
    the filter columns copied from the ticket, the opening and resolution instants, the first
    response and resolution times in microseconds, and whether it was resolved at first contact.

    Derived data, exact by construction: ``kefu.analytics.facts.refresh`` recomputes a ticket's
    rows from the tickets, events and clocks, and is run for every ticket whose timeline moved
    (every state change records a timeline event; ``events_recorded`` marks it stale in the same
    transaction, and the report refreshes the stale tickets before it reads). ``kefu analytics
    facts`` rebuilds them all (idempotent)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True)
    first_response_us = models.BigIntegerField(null=True)  # first_response_at - created_at
    resolution_us = models.BigIntegerField(null=True)  # resolved_at - created_at
    # Resolved, with exactly one public reply from staff, never reopened.
    first_contact = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="fact_created"),
            models.Index(fields=["store", "created_at"], name="fact_store_created"),
            models.Index(fields=["region", "created_at"], name="fact_region_created"),
            models.Index(fields=["resolved_at"], name="fact_resolved"),
            models.Index(fields=["store", "resolved_at"], name="fact_store_resolved"),
            # The exact percentile of the chain: the k-th value within one bucket's range.
            models.Index(fields=["first_response_us", "created_at"], name="fact_first_response"),
            models.Index(fields=["resolution_us", "resolved_at"], name="fact_resolution"),
        ]

    def __str__(self):
        return f"facts of ticket {self.ticket_id}"


class ClockOutcome(models.TextChoices):
    ON_TIME = "on_time", _("Met on time")
    LATE = "late", _("Met late")
    BREACHED = "breached", _("Breached")
    RUNNING = "running", _("Running")
    OTHER = "other", _("No longer needed")


class ClockFact(TicketColumns):
    """One narrow row per SLA clock: its ticket's filter columns and opening instant, its target,
    outcome and (when met) business seconds. Refreshed with its ticket's TicketFact."""

    clock = models.OneToOneField(
        "sla.SlaClock", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()  # the ticket's created_at
    target = models.CharField(max_length=20)
    outcome = models.CharField(max_length=10, choices=ClockOutcome.choices)
    business_seconds = models.IntegerField(null=True)  # met clocks only

    class Meta:
        indexes = [
            models.Index(fields=["opened_at"], name="clockfact_opened"),
            models.Index(fields=["store", "opened_at"], name="clockfact_store_opened"),
            models.Index(fields=["region", "opened_at"], name="clockfact_region_opened"),
            models.Index(
                fields=["target", "business_seconds", "opened_at"], name="clockfact_business"
            ),
        ]

    def __str__(self):
        return f"facts of clock {self.clock_id}"


class StaleTicket(models.Model):
    """A ticket whose facts must be recomputed: written in the same transaction as the change
    (a timeline event), removed once refreshed."""

    ticket_id = models.BigIntegerField()

    def __str__(self):
        return f"ticket {self.ticket_id} stale"


class ChainDay(models.Model):
    """The whole chain's figures of one local day (Asia/Shanghai), summed from the facts: a
    count per ``metric`` and, for the durations, per ``bucket`` of a monotone bucketing of the
    value (kefu.analytics.facts.bucket), so a 90-day chain summary sums a few thousand rows and
    reads each exact percentile from the one bucket that holds it. Rebuilt from the facts for
    every day whose facts changed, in the same transaction."""

    day = models.DateField()
    metric = models.CharField(max_length=40)
    bucket = models.IntegerField(default=0)
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "metric", "bucket"], name="one_chain_day_count")
        ]

    def __str__(self):
        return f"{self.day} {self.metric}[{self.bucket}] = {self.n}"


class EventFact(TicketColumns):
    """One narrow row per escalation and per reopening on a ticket's timeline, with the ticket's
    filter columns, so a store's escalations and reopenings in a period are one index range
    instead of a join from the chain's events to the tickets. Refreshed with its ticket's
    TicketFact."""

    event = models.OneToOneField(
        "tickets.TicketEvent", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField()  # the event's
    kind = models.CharField(max_length=10)  # "escalated" | "reopened"
    # None when the event had no such key (kept apart from "", as the timeline query does).
    tier = models.CharField(max_length=30, null=True)  # noqa: DJ001
    automatic = models.BooleanField(default=False)
    cause = models.CharField(max_length=40, null=True)  # noqa: DJ001

    class Meta:
        indexes = [
            models.Index(fields=["ticket"], name="eventfact_ticket"),
            models.Index(fields=["kind", "created_at"], name="eventfact_kind_created"),
            models.Index(fields=["store", "kind", "created_at"], name="eventfact_store_kind"),
            models.Index(fields=["region", "kind", "created_at"], name="eventfact_region_kind"),
        ]

    def __str__(self):
        return f"{self.kind} on ticket {self.ticket_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("export", "Waiting")
    RUNNING = "running", pgettext_lazy("export", "Being built")
    DONE = "done", pgettext_lazy("export", "Ready")
    FAILED = "failed", pgettext_lazy("export", "Failed")


class ExportJob(models.Model):
    """A ticket list too long to build while the browser waits (an Excel file of more than
    KEFU_EXPORT_INLINE_ROWS rows): the Huey consumer writes it to the file storage, the
    requester downloads it from 导出记录 and is notified when it is ready. ``query`` holds the
    filters as the requester chose them; the rows are read with the requester's scope at the
    time the file is built. Jobs and files go after KEFU_EXPORT_KEEP_DAYS days."""

    SOURCES = ("report", "queue")  # the reports' ticket list, or any filtered desk queue

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=10)
    query = models.JSONField(default=dict)
    title = models.CharField(_("export"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["requested_by", "-id"], name="export_requester")]

    def __str__(self):
        return f"{self.pk} {self.source} {self.status}"
