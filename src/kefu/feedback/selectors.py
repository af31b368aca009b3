"""Reads of the customer's voice, always within the reader's scope (store, region or everything)."""

import datetime
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Mod
from django.utils import timezone

from kefu import rows
from kefu.errors import NotFound
from kefu.org.models import Staff
from kefu.org.roles import LADDER, RUNG_HOLDER, Role, Tier
from kefu.org.selectors import can, in_scope, staff_of
from kefu.tickets.models import Status, Ticket

from . import rules
from .models import (
    Compensation,
    CompensationLimit,
    CompensationStatus,
    FeedbackCard,
    FollowUp,
    FollowUpRule,
    Survey,
    SurveyQuestion,
)

NO_LIMIT = Decimal("0")
FEN = Decimal("0.01")  # a role without a limit row may request, never approve


EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2999, 12, 31)


def clean(value: str | None) -> str:
    """Text from a URL or form, without NUL characters (PostgreSQL refuses them in a query)."""
    return (value or "").replace("\x00", "")


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a local (Asia/Shanghai) day, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def clamp_period(since: datetime.date, until: datetime.date) -> tuple[datetime.date, datetime.date]:
    """A report period in order and within dates the database can compare (year 1 or 9999 would
    overflow on the way to UTC)."""
    since, until = (since, until) if since <= until else (until, since)
    return max(EARLIEST, min(since, LATEST)), max(EARLIEST, min(until, LATEST))


# ---- surveys -----------------------------------------------------------------------------------


def active_questions() -> list[SurveyQuestion]:
    return list(SurveyQuestion.objects.filter(is_active=True))


def survey_by_token(token: str) -> Survey:
    survey = (
        Survey.objects.select_related("ticket__customer", "store")
        .filter(token=clean(token))
        .first()
    )
    if survey is None:
        raise NotFound()
    return survey


def surveys_visible_to(user) -> QuerySet:
    return in_scope(Survey.objects.all(), user)


def answered_surveys(
    user, *, store: str | None = None, low_only: bool = False, threshold: int = 2
) -> QuerySet:
    surveys = surveys_visible_to(user).filter(answered_at__isnull=False)
    if store:
        surveys = surveys.filter(store__code=clean(store))
    if low_only:
        surveys = surveys.filter(csat__lte=threshold)
    return surveys.select_related("ticket", "store").order_by("-answered_at")


def csat_by_store(
    user, *, since: datetime.date, until: datetime.date, threshold: int = 2
) -> list[dict]:
    """Per store in scope: surveys answered in [since, until], average overall score, low scores."""
    surveys = surveys_visible_to(user).filter(
        answered_at__gte=day_start(since),
        answered_at__lt=day_start(until + datetime.timedelta(days=1)),
    )
    return list(
        surveys.values("store__code", "store__name")
        .annotate(
            answered=Count("id"),
            average=Avg("csat"),
            low=Count("id", filter=Q(csat__lte=threshold)),
        )
        .order_by("store__code")
    )


# ---- follow-up calls ---------------------------------------------------------------------------

FOLLOWUP_VIEWS = ("open", "overdue", "mine", "done")


def followups_visible_to(user) -> QuerySet:
    if not can(user, "feedback.followups"):
        return FollowUp.objects.none()
    return in_scope(FollowUp.objects.all(), user)


def followup_list(
    user, *, view: str = "open", store: str | None = None, today: datetime.date | None = None
) -> QuerySet:
    """open: calls still to make, soonest due first; overdue: open calls past their due date
    (managers watch this list); mine: open calls assigned to me; done: recorded calls, newest first."""
    today = today or timezone.localdate()
    followups = followups_visible_to(user)
    if store:
        followups = followups.filter(store__code=clean(store))
    if view == "done":
        followups = followups.filter(done_at__isnull=False).order_by("-done_at", "-id")
    else:
        followups = followups.filter(done_at__isnull=True)
        if view == "overdue":
            followups = followups.filter(due_on__lt=today)
        elif view == "mine":
            followups = followups.filter(assignee=user)
        followups = followups.order_by("due_on", "id")
    return followups.select_related("ticket__customer", "store", "rule", "assignee__staff")


def overdue_count(user, today: datetime.date | None = None) -> int:
    return (
        followups_visible_to(user)
        .filter(done_at__isnull=True, due_on__lt=today or timezone.localdate())
        .count()
    )


def get_followup(user, followup_id) -> FollowUp:
    found = (
        followups_visible_to(user)
        .select_related("ticket__customer", "ticket__store", "store", "rule", "assignee__staff")
        .filter(pk=followup_id)
        .first()
        if str(followup_id).isdigit()
        else None
    )
    if found is None:
        raise NotFound()
    return found


def followup_candidates(
    rule: FollowUpRule, first_day: datetime.date, last_day: datetime.date
) -> QuerySet:
    """Tickets this rule should call about: its type, resolved (and still resolved or closed) on a
    day in [first_day, last_day], customer agrees to calls, not called by this rule yet, and in
    the rule's sample. All of it is one query; sampling is rules.sample_bucket done in SQL."""
    tickets = Ticket.objects.filter(
        type=rule.ticket_type,
        status__in=[Status.RESOLVED, Status.CLOSED],
        resolved_at__gte=day_start(first_day),
        resolved_at__lt=day_start(last_day + datetime.timedelta(days=1)),
        customer__consent_contact=True,
    ).exclude(followups__rule=rule)
    if rule.sample_percent < 100:
        bucket = Mod(
            F("id") * Value(rules.SAMPLE_MULTIPLIER) + Value(rule.pk * rules.SAMPLE_SALT),
            Value(100),
        )
        tickets = tickets.annotate(sample_bucket=bucket).filter(
            sample_bucket__lt=rule.sample_percent
        )
    return tickets.order_by("id")


# ---- feedback cards ----------------------------------------------------------------------------

CARD_VIEWS = ("new", "handled", "all")


def cards_visible_to(user) -> QuerySet:
    """The inbox is for store managers and above; others see nothing."""
    if not can(user, "feedback.cards"):
        return FeedbackCard.objects.none()
    return in_scope(FeedbackCard.objects.all(), user)


def card_list(
    user, *, view: str = "new", store: str | None = None, category: str | None = None
) -> QuerySet:
    cards = cards_visible_to(user)
    if view == "new":
        cards = cards.filter(handled_at__isnull=True)
    elif view == "handled":
        cards = cards.filter(handled_at__isnull=False)
    if store:
        cards = cards.filter(store__code=clean(store))
    if category:
        cards = cards.filter(category=clean(category))
    return cards.select_related("store", "customer", "handled_by__staff").order_by("-id")


def get_card(user, card_id) -> FeedbackCard:
    found = (
        cards_visible_to(user)
        .select_related("store", "customer", "ticket")
        .filter(pk=card_id)
        .first()
        if str(card_id).isdigit()
        else None
    )
    if found is None:
        raise NotFound()
    return found


def store_managers(store_id: int) -> list:
    """The active store managers (店长) of a store, as users."""
    return [
        s.user
        for s in Staff.objects.filter(
            role=Role.STORE_MANAGER, store_id=store_id, user__is_active=True
        ).select_related("user")
    ]


def managers_for(store_id: int, region_id: int) -> list:
    """Who hears about a store's feedback: its store managers, else its regional managers."""
    users = store_managers(store_id)
    if not users:
        users = [
            s.user
            for s in Staff.objects.filter(
                role=Role.REGIONAL_MANAGER, region_id=region_id, user__is_active=True
            ).select_related("user")
        ]
    return users


# ---- compensation ------------------------------------------------------------------------------


@rows.prepared
def _limits():
    return CompensationLimit.objects.values_list("role", "limit")


def role_limits() -> dict[str, Decimal | None]:
    """role → the most it may approve (None: unlimited). Roles without a row are absent."""
    return dict(_limits())


def limit_of(role: str, limits: dict[str, Decimal | None]) -> Decimal | None:
    return limits.get(role, NO_LIMIT)


def ladder_limits(limits: dict[str, Decimal | None]) -> list[tuple[str, Decimal | None]]:
    return [(tier, limit_of(RUNG_HOLDER[tier], limits)) for tier in LADDER]


def compensations_visible_to(user) -> QuerySet:
    if not can(user, "feedback.compensation.request"):
        return Compensation.objects.none()
    return in_scope(Compensation.objects.all(), user)


def get_compensation(user, compensation_id) -> Compensation:
    found = (
        compensations_visible_to(user)
        .select_related("ticket", "store", "requested_by__staff")
        .filter(pk=compensation_id)
        .first()
        if str(compensation_id).isdigit()
        else None
    )
    if found is None:
        raise NotFound()
    return found


def decidable_by(user) -> QuerySet:
    """Requests in the user's scope that they may approve or reject: waiting for their rung or a
    lower one, within their limit, and not their own."""
    staff = staff_of(user)
    if staff is None:
        return Compensation.objects.none()
    limit = limit_of(staff.role, role_limits())
    tiers = [t for t in LADDER[: LADDER.index(staff.tier) + 1]]
    pending = compensations_visible_to(user).filter(
        status=CompensationStatus.REQUESTED, awaiting_tier__in=tiers
    )
    pending = pending.exclude(requested_by=user)
    if limit is not None:
        pending = pending.filter(amount__lte=limit)
    return pending.select_related("ticket", "store", "requested_by__staff").order_by("id")


def compensation_list(user, *, status: str | None = None, store: str | None = None) -> QuerySet:
    items = compensations_visible_to(user)
    if status:
        items = items.filter(status=clean(status))
    if store:
        items = items.filter(store__code=clean(store))
    return items.select_related(
        "ticket", "store", "requested_by__staff", "decided_by__staff"
    ).order_by("-id")


def compensation_summary(user, *, since: datetime.date, until: datetime.date) -> list[dict]:
    """Per store in scope: approved amounts decided in [since, until] (total, for losses, as
    goodwill, how many), and how many requests wait for a decision now."""
    start, end = day_start(since), day_start(until + datetime.timedelta(days=1))
    in_period = Q(status=CompensationStatus.APPROVED, decided_at__gte=start, decided_at__lt=end)
    items = compensations_visible_to(user).filter(
        in_period | Q(status=CompensationStatus.REQUESTED)
    )
    rows = list(
        items.values("store__code", "store__name")
        .annotate(
            total=Sum("amount", filter=in_period, default=Decimal("0")),
            loss=Sum("amount", filter=in_period & Q(purpose="loss"), default=Decimal("0")),
            goodwill=Sum("amount", filter=in_period & Q(purpose="goodwill"), default=Decimal("0")),
            approved=Count("id", filter=in_period),
            pending=Count("id", filter=Q(status=CompensationStatus.REQUESTED)),
        )
        .order_by("store__code")
    )
    for row in rows:  # SQLite sums decimals without their scale; money always shows fen
        for key in ("total", "loss", "goodwill"):
            row[key] = Decimal(row[key]).quantize(FEN)
    return rows


def may_decide(user, compensation: Compensation, limits: dict | None = None) -> bool:
    """Whether the user's rung and limit let them approve or reject this request (scope aside)."""
    staff = staff_of(user)
    if (
        staff is None
        or compensation.status != CompensationStatus.REQUESTED
        or compensation.requested_by_id == user.pk
    ):
        return False
    limits = role_limits() if limits is None else limits
    if not rules.covers(limit_of(staff.role, limits), compensation.amount):
        return False
    return LADDER.index(staff.tier) >= LADDER.index(compensation.awaiting_tier or Tier.STORE_STAFF)


# ---- the ticket page ---------------------------------------------------------------------------


@rows.prepared
def _survey_of(ticket_id: int):
    return (
        Survey.objects.filter(ticket_id=ticket_id)
        .prefetch_related("answers__question")
        .order_by("pk")[:1]
    )


@rows.prepared
def _followups_of(ticket_id: int):
    return (
        FollowUp.objects.filter(ticket_id=ticket_id)
        .select_related("rule", "assignee__staff", "done_by__staff")
        .order_by("-id")
    )


@rows.prepared
def _compensations_of(ticket_id: int):
    return (
        Compensation.objects.filter(ticket_id=ticket_id)
        .select_related("requested_by__staff", "decided_by__staff")
        .order_by("-id")
    )


def ticket_voice(user, ticket) -> dict:
    """Survey result, follow-up calls and compensation of one ticket (the caller has checked
    that the user sees the ticket)."""
    survey = _survey_of.first(ticket.id)
    followups = _followups_of(ticket.id)
    compensations = _compensations_of(ticket.id)
    limits = role_limits()
    for c in compensations:
        c.may_decide = may_decide(user, c, limits)
    staff = staff_of(user)
    return {
        "survey": survey,
        "followups": followups,
        "compensations": compensations,
        "my_limit": limit_of(staff.role, limits) if staff else NO_LIMIT,
    }
