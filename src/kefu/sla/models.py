"""SLA data: business calendars and their exceptions, policies, the clocks of each ticket,
pauses, and the special-case rules and trigger words. Calendars, policies and triggers are admin-editable
rows seeded from ``kefu/sla/data/*.json``; clocks and pauses are written by ``services`` only."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.tickets.models import Channel, Priority, Status, TicketType

from .calendar import DEFAULT_TZ, BusinessCalendar, calendar_from_dict


class Calendar(models.Model):
    """A named business calendar (营业时间) as an admin row; ``to_business_calendar`` turns it
    into the pure :class:`~kefu.sla.calendar.BusinessCalendar` the arithmetic runs on."""

    name = models.SlugField(_("name"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    tz = models.CharField(_("time zone"), max_length=60, default=DEFAULT_TZ)
    weekly = models.JSONField(
        _("weekly opening periods"),
        default=dict,
        blank=True,
        help_text=_(
            'Weekday → periods, e.g. {"mon": [["09:00", "12:00"], ["13:00", "18:00"]]}; a missing day is closed.'
        ),
    )
    observe_holidays = models.BooleanField(
        _("observe official holidays"),
        default=False,
        help_text=_(
            "Closed on official holidays; open on 调休 make-up working days (with the workday periods)."
        ),
    )
    workday_periods = models.JSONField(
        _("make-up working day periods"),
        null=True,
        blank=True,
        help_text=_(
            'Periods on 调休 make-up working days, e.g. [["09:00", "18:00"]]; empty: Monday\'s periods.'
        ),
    )
    always_open = models.BooleanField(
        _("open 24/7"),
        default=False,
        help_text=_("Calendar hours: for targets counted in real time."),
    )
    serves_cs_department = models.BooleanField(
        _("customer-service department calendar"),
        default=False,
        help_text=_(
            "The calendar of tickets held by the customer-service department (one calendar only)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["serves_cs_department"],
                condition=models.Q(serves_cs_department=True),
                name="one_cs_department_calendar",
            ),
        ]

    def __str__(self):
        return f"{self.description} ({self.name})" if self.description else self.name

    def as_dict(self, exceptions=None) -> dict:
        """The calendar in the JSON form of ``calendar_from_dict`` (exceptions: rows to apply)."""
        exceptions = self.exceptions.all() if exceptions is None else exceptions
        d = {
            "name": self.name,
            "tz": self.tz,
            "weekly": self.weekly or {},
            "observe_holidays": self.observe_holidays,
            "always_open": self.always_open,
            "closed_dates": [e.date.isoformat() for e in exceptions if not e.periods],
            "open_dates": {e.date.isoformat(): e.periods for e in exceptions if e.periods},
        }
        if self.workday_periods:
            d["workday_periods"] = self.workday_periods
        return d

    def to_business_calendar(self, exceptions=None) -> BusinessCalendar:
        return calendar_from_dict(self.as_dict(exceptions))

    def clean(self):
        try:
            calendar_from_dict(self.as_dict(exceptions=[]))
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValidationError(str(exc)) from exc


class CalendarException(models.Model):
    """One date on which a calendar differs: closed all day (e.g. 店面装修, renovation) when no
    periods are given, else open with these periods instead of the usual ones."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    periods = models.JSONField(
        _("open periods"),
        default=list,
        blank=True,
        help_text=_('Empty: closed all day. Else e.g. [["10:00", "16:00"]].'),
    )
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_exception_per_day")
        ]

    def __str__(self):
        return f"{self.calendar_id} {self.date}"

    def clean(self):
        if self.periods:
            try:
                calendar_from_dict(
                    {"name": "check", "open_dates": {self.date.isoformat(): self.periods}}
                )
            except (ValueError, TypeError) as exc:
                raise ValidationError({"periods": str(exc)}) from exc


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_REPLY = "next_reply", _("Next reply")
    RESOLUTION = "resolution", _("Resolution")


class VipMatch(models.TextChoices):
    ANY = "any", _("Any customer")
    YES = "yes", _("VIP customers only")
    NO = "no", _("Non-VIP customers only")


DEFAULT_PAUSED = [Status.PENDING_CUSTOMER.value, Status.ON_HOLD.value]


def default_paused():
    return list(DEFAULT_PAUSED)


class SlaPolicy(models.Model):
    """Targets for the tickets it matches. Policies are tried by position; the first active one
    whose every non-empty condition matches wins. Minutes are business minutes on the target's
    calendar: blank means the holder's calendar (the store's, or the CS department's), and
    ``always`` counts calendar hours."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(
        _("position"), default=100, help_text=_("Lower is tried first.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    types = models.JSONField(
        _("ticket types"), default=list, blank=True, help_text=_("Empty: any type.")
    )
    priorities = models.JSONField(
        _("priorities"), default=list, blank=True, help_text=_("Empty: any priority.")
    )
    channels = models.JSONField(
        _("channels"), default=list, blank=True, help_text=_("Empty: any channel.")
    )
    vip = models.CharField(_("VIP"), max_length=3, choices=VipMatch.choices, default=VipMatch.ANY)
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (minutes)"), null=True, blank=True
    )
    first_response_calendar = models.CharField(
        _("first response calendar"), max_length=40, blank=True
    )
    next_reply_minutes = models.PositiveIntegerField(
        _("next reply within (minutes)"), null=True, blank=True
    )
    next_reply_calendar = models.CharField(_("next reply calendar"), max_length=40, blank=True)
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (minutes)"), null=True, blank=True
    )
    resolution_calendar = models.CharField(_("resolution calendar"), max_length=40, blank=True)
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the target)"), default=75
    )
    paused_statuses = models.JSONField(_("clocks pause in"), default=default_paused, blank=True)
    escalate_on_breach = models.BooleanField(_("escalate one rung on breach"), default=False)
    requires_solution_timetable = models.BooleanField(
        _("first response needs a solution timetable"),
        default=False,
        help_text=_(
            "The first-response clock stops only when a reply has been sent and a solution time (承诺解决时间) promised."
        ),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self):
        return f"{self.name} ({self.code})"

    def matches(self, *, type: str, priority: str, channel: str, vip: bool) -> bool:
        """Whether a ticket with these facts falls under this policy (active or not)."""
        return (
            (not self.types or type in self.types)
            and (not self.priorities or priority in self.priorities)
            and (not self.channels or channel in self.channels)
            and (self.vip == VipMatch.ANY or (self.vip == VipMatch.YES) == bool(vip))
        )

    def minutes(self, target: str) -> int | None:
        return getattr(self, f"{target}_minutes")

    def calendar_for(self, target: str) -> str:
        """The target's calendar name; "" means the holder's calendar."""
        return getattr(self, f"{target}_calendar")

    def clean(self):
        errors = {}
        for field, choices in (
            ("types", TicketType),
            ("priorities", Priority),
            ("channels", Channel),
            ("paused_statuses", Status),
        ):
            value = getattr(self, field)
            if not isinstance(value, list) or any(v not in choices.values for v in value):
                errors[field] = _("A list of: %(allowed)s.") % {
                    "allowed": ", ".join(choices.values)
                }
        if not 1 <= (self.warn_percent or 0) <= 99:
            errors["warn_percent"] = _("Between 1 and 99.")
        known = set(Calendar.objects.values_list("name", flat=True))
        for target in Target.values:
            name = self.calendar_for(target)
            if name and name not in known:
                errors[f"{target}_calendar"] = _("No business calendar is called “%(name)s”.") % {
                    "name": name
                }
        if errors:
            raise ValidationError(errors)


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("No longer needed")


ACTIVE_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class SlaClock(models.Model):
    """One target's clock on one ticket: when it started, when it warns and falls due, and what
    happened. A ticket has at most one active (running or paused) clock per target; next-reply
    clocks start again after each customer message, and history is kept."""

    # No index of its own: Meta's (ticket, state) index begins with it.
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_clocks", db_index=False
    )
    target = models.CharField(max_length=20, choices=Target.choices)
    state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    calendar = models.CharField(max_length=40)
    # True when the calendar is the holder's (store / CS department) and moves with escalation.
    follows_holder = models.BooleanField(default=False)
    target_minutes = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    due_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)  # business time spent paused
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # Business time (seconds, on the clock's calendar, pauses left out) from start to stop:
    # written once when the clock stops, so reports take medians of a column, never walk the
    # calendar per row.
    business_seconds = models.PositiveIntegerField(null=True, blank=True)
    # The breach is to climb one rung: set by the sweep, cleared by the escalation task.
    escalation_pending = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        indexes = [
            models.Index(fields=["ticket", "state"], name="slaclock_ticket_state"),
            models.Index(
                fields=["breached_at"],
                condition=models.Q(escalation_pending=True),
                name="slaclock_escalation_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target"],
                condition=models.Q(state__in=["running", "paused"]),
                name="one_active_clock_per_target",
            ),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.target} {self.state}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class SlaPause(models.Model):
    """A stretch during which the ticket's clocks stood still (pending customer, on hold)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_pauses"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["ticket", "started_at"], name="slapause_ticket")]

    def __str__(self):
        return f"{self.ticket_id} {self.status} {self.started_at:%Y-%m-%d %H:%M}"


class TriggerCategory(models.TextChoices):
    MEDIA = "media", _("Media exposure threat")
    REGULATOR = "regulator", _("12315 / consumer association / regulator")
    LEGAL = "legal", _("Lawyer or lawsuit")
    SAFETY = "safety", _("Safety hazard")


class SpecialCaseRule(models.Model):
    """A rule that sends a ticket straight to the customer-service department (seed 000): the
    threat or hazard as patterns, the context words one of which must stand in the same
    sentence, and the exclusions that mean something innocent. Read by the pure
    :class:`~kefu.sla.special_cases.Detector`; seeded by ``code`` from
    ``data/special_cases.v1.json``."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=TriggerCategory.choices)
    patterns = models.TextField(
        _("patterns"),
        help_text=_(
            "One regular expression per line for the threat or hazard itself; write simplified characters (traditional script is folded)."
        ),
    )
    context = models.TextField(
        _("context words"),
        blank=True,
        help_text=_(
            "One word per line; at least one must stand in the same sentence. Empty: the pattern is enough."
        ),
    )
    exclusions = models.TextField(
        _("exclusions"),
        blank=True,
        help_text=_(
            "One regular expression per line; where one overlaps the pattern's words, the meaning is innocent."
        ),
    )
    negatable = models.BooleanField(
        _("negation cancels it"),
        default=True,
        help_text=_("A negation before the words in the same clause (我不会去曝光) cancels them."),
    )
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("special-case rule")
        verbose_name_plural = _("special-case rules")

    def __str__(self):
        return self.code

    def as_rule(self) -> dict:
        """The rule as the pure detector reads it."""
        return {
            "code": self.code,
            "category": self.category,
            "patterns": self.patterns,
            "context": self.context,
            "exclusions": self.exclusions,
            "negatable": self.negatable,
        }

    def clean(self):
        from .special_cases import Detector

        try:
            Detector([self.as_rule()])
        except ValueError as err:
            raise ValidationError({"patterns": str(err)}) from err


class SpecialCaseTrigger(models.Model):
    """An extra phrase an admin adds that sends a ticket straight to the customer-service
    department (seed 000). It is read as a rule with the phrase as its only words (negation
    and quotation still apply); the shipped rules are :class:`SpecialCaseRule` rows."""

    category = models.CharField(_("category"), max_length=20, choices=TriggerCategory.choices)
    phrase = models.CharField(_("phrase"), max_length=50, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "phrase"]
        verbose_name = _("special-case trigger")
        verbose_name_plural = _("special-case triggers")

    def __str__(self):
        return self.phrase
