"""Admin for the SLA rules: calendars (with exceptions and a holiday-data warning), policies,
special-case rules and extra trigger words. Clocks are read-only history."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.tickets.models import Channel, Priority, Status, TicketType

from .calendar import has_holiday_data, holiday_data_years
from .models import (
    Calendar,
    CalendarException,
    SlaClock,
    SlaPolicy,
    SpecialCaseRule,
    SpecialCaseTrigger,
)


def missing_holiday_years(today=None) -> list[int]:
    """This year and next, where chinese-calendar has no official holiday data."""
    year = (today or timezone.localdate()).year
    return [y for y in (year, year + 1) if not has_holiday_data(y)]


def holiday_data_message(today=None) -> str | None:
    missing = missing_holiday_years(today)
    if not missing:
        return None
    years = holiday_data_years()
    return _(
        "The chinese-calendar package has official holidays and 调休 make-up days only for %(first)s–%(last)s; "
        "for %(missing)s, calendars that observe holidays fall back to plain weekends. Update the package, or "
        "add the holidays and make-up days as calendar exceptions."
    ) % {"first": years.start, "last": years.stop - 1, "missing": ", ".join(map(str, missing))}


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "description",
        "tz",
        "observe_holidays",
        "always_open",
        "serves_cs_department",
        "holiday_data",
    )
    inlines = [CalendarExceptionInline]
    readonly_fields = ("holiday_data",)

    @admin.display(description=_("official holiday data"))
    def holiday_data(self, obj=None):
        if obj is not None and not obj.observe_holidays:
            return _("not used (this calendar ignores official holidays)")
        years = holiday_data_years()
        return f"{years.start}–{years.stop - 1}"

    def _warn(self, request):
        if text := holiday_data_message():
            messages.warning(request, text)

    def changelist_view(self, request, extra_context=None):
        self._warn(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._warn(request)
        return super().change_view(request, object_id, form_url, extra_context)


def _multi(choices, label):
    return forms.MultipleChoiceField(
        choices=choices,
        required=False,
        label=label,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any."),
    )


class SlaPolicyForm(forms.ModelForm):
    types = _multi(TicketType.choices, _("ticket types"))
    priorities = _multi(Priority.choices, _("priorities"))
    channels = _multi(Channel.choices, _("channels"))
    paused_statuses = forms.MultipleChoiceField(
        choices=Status.choices,
        required=False,
        label=_("clocks pause in"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "code",
            "name",
            "position",
            "is_active",
            "types",
            "priorities",
            "channels",
            "vip",
            "first_response_minutes",
            "first_response_calendar",
            "next_reply_minutes",
            "next_reply_calendar",
            "resolution_minutes",
            "resolution_calendar",
            "warn_percent",
            "paused_statuses",
            "escalate_on_breach",
            "requires_solution_timetable",
        ]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = (
        "position",
        "code",
        "name",
        "is_active",
        "types",
        "priorities",
        "channels",
        "vip",
        "first_response_minutes",
        "resolution_minutes",
        "escalate_on_breach",
    )
    list_display_links = ("code",)
    list_editable = ("position", "is_active")
    fieldsets = (
        (None, {"fields": ("code", "name", "position", "is_active")}),
        (_("Matches"), {"fields": ("types", "priorities", "channels", "vip")}),
        (
            _("Targets (blank calendar: the holder's; “always”: calendar hours)"),
            {
                "fields": (
                    ("first_response_minutes", "first_response_calendar"),
                    ("next_reply_minutes", "next_reply_calendar"),
                    ("resolution_minutes", "resolution_calendar"),
                    "warn_percent",
                )
            },
        ),
        (
            _("Behaviour"),
            {"fields": ("paused_statuses", "escalate_on_breach", "requires_solution_timetable")},
        ),
    )


@admin.register(SpecialCaseRule)
class SpecialCaseRuleAdmin(admin.ModelAdmin):
    """The shipped rules, editable; a pattern that does not compile is refused on save."""

    list_display = ("code", "category", "negatable", "is_active")
    list_editable = ("is_active",)
    list_filter = ("category", "is_active")
    search_fields = ("code", "patterns", "context", "note")
    fields = (
        "code",
        "category",
        "patterns",
        "context",
        "exclusions",
        "negatable",
        "note",
        "is_active",
    )


@admin.register(SpecialCaseTrigger)
class SpecialCaseTriggerAdmin(admin.ModelAdmin):
    list_display = ("phrase", "category", "is_active")
    list_editable = ("is_active",)
    list_filter = ("category", "is_active")
    search_fields = ("phrase",)


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = (
        "ticket",
        "target",
        "state",
        "calendar",
        "started_at",
        "due_at",
        "warned_at",
        "breached_at",
    )
    list_filter = ("target", "state")
    raw_id_fields = ("ticket",)
    list_select_related = ("ticket",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
