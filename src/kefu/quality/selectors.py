"""Reads for service quality, always within the reader's scope."""

import datetime

from django.db.models import Avg, BigIntegerField, Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from kefu import rows
from kefu.customers.names import surname_of
from kefu.errors import NotFound
from kefu.org.models import Staff
from kefu.org.selectors import can, in_scope, staff_of
from kefu.tickets.models import Status, Ticket, TicketEvent, TicketType

from . import language, rules
from .models import (
    ComplaintGuide,
    PhraseOverride,
    QaReview,
    QaSample,
    QualityPolicy,
    SelfAssessment,
)

# ---------------------------------------------------------------- service language


def phrase_overrides() -> list[dict]:
    """The admin's phrase overrides, as pack entries (one small query)."""
    return [row.as_override() for row in PhraseOverride.objects.all()]


def checker() -> language.Checker:
    """The checker with the admin's overrides applied (compiled once per distinct set)."""
    return language.checker_for(phrase_overrides())


def context_for(customer=None, *, is_complaint: bool = False) -> language.Context:
    """What the checker knows about the customer being answered.

    The honorific is 姓+先生/女士 when the gender is known; otherwise the full name, which is
    how an agent addresses someone whose gender they do not know (not "张伟您好")."""
    if customer is None:
        return language.Context(is_complaint=is_complaint)
    name = (customer.name or "").strip()
    if customer.address_as.strip():
        honorific = customer.address_as.strip()  # an agent's correction wins
    else:
        honorific = customer.honorific if customer.gender in ("male", "female") else name
    return language.Context(
        customer_surname=surname_of(name) if name else None,
        honorific=honorific or None,
        is_complaint=is_complaint,
    )


def check_reply(text: str, *, ticket=None, customer=None) -> list[language.Finding]:
    """Findings for a reply to this ticket's (or this) customer."""

    if ticket is not None:
        customer = ticket.customer
    context = context_for(
        customer, is_complaint=ticket is not None and ticket.type == TicketType.COMPLAINT
    )
    return checker().check(text, context)


def may_override(user, policy: QualityPolicy | None = None) -> bool:
    """True when the manager's policy lets this user's role send despite a forbidden phrase."""
    staff = staff_of(user)
    if staff is None:
        return False
    policy = policy or QualityPolicy.current()
    return staff.role in (policy.allow_override_roles or [])


def marked(text: str, findings: list[dict]) -> list[tuple[str, dict | None]]:
    """The reply cut into (piece, finding or None) so a template can wrap findings in <mark>.

    Overlapping findings (a hint inside a phrase is already dropped by the checker) keep the
    first; reply-level findings (empty span) are listed, not marked."""
    pieces, at = [], 0
    for f in sorted(
        (f for f in findings if f["span"][1] > f["span"][0]),
        key=lambda f: (f["span"][0], -f["span"][1]),
    ):
        start, end = f["span"]
        if start < at:
            continue
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], f))
        at = end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


# ---------------------------------------------------------------- complaint guide


@rows.prepared
def _guide_of(ticket_id: int):
    return ComplaintGuide.objects.filter(ticket_id=ticket_id).order_by("pk")[:1]


def guide_for(ticket) -> ComplaintGuide:
    """The ticket's guide, or an unsaved empty one (nothing ticked yet)."""
    return _guide_of.first(ticket.pk) or ComplaintGuide(ticket=ticket)


# ---------------------------------------------------------------- QA


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the week containing ``day``."""
    return day - datetime.timedelta(days=day.weekday())


def week_bounds(monday: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[Monday 00:00, next Monday 00:00) in the business time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=7)


def resolved_by_agent(monday: datetime.date) -> dict[int, list[int]]:
    """agent user id → ids of the tickets they resolved in that week.

    The agent of a ticket is its assignee, else whoever last marked it resolved (many tickets
    are worked without being assigned). One query; the week's rows are grouped in Python
    because the draw needs every candidate id anyway."""

    start, end = week_bounds(monday)
    resolver = (
        TicketEvent.objects.filter(
            ticket=OuterRef("pk"), kind="status", data__status=Status.RESOLVED
        )
        .order_by("-id")
        .values("actor_id")[:1]
    )
    rows = (
        Ticket.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
        .annotate(
            worker=Coalesce(F("assignee_id"), Subquery(resolver), output_field=BigIntegerField())
        )
        .exclude(worker=None)
        .values_list("worker", "id")
    )
    out: dict[int, list[int]] = {}
    for agent_id, ticket_id in rows:
        out.setdefault(agent_id, []).append(ticket_id)
    return out


def review_queue(user, monday: datetime.date) -> QuerySet:
    """The week's sample, unreviewed first, for a reviewer."""
    if not can(user, "quality.review"):
        return QaSample.objects.none()
    return (
        QaSample.objects.filter(week=monday)
        .select_related("ticket__store", "agent__staff", "review")
        .order_by(F("review_id").asc(nulls_first=True), "agent_id", "ticket_id")
    )


def reviews_visible_to(user) -> QuerySet:
    """Everything in scope for summary readers; one's own scorecards for everyone else."""
    reviews = QaReview.objects.select_related("ticket", "store", "agent__staff", "reviewer__staff")
    if can(user, "quality.summaries"):
        return in_scope(reviews, user, store_field="store", region_field="store__region")
    return reviews.filter(agent=user) if staff_of(user) is not None else reviews.none()


def get_review(user, review_id) -> QaReview:
    review = (
        reviews_visible_to(user).filter(pk=review_id).first() if str(review_id).isdigit() else None
    )
    if review is None:
        raise NotFound()
    return review


def _placed(rows, policy: QualityPolicy) -> list[dict]:
    for row in rows:
        row["service_type"] = rules.service_type(
            row["procedure"],
            row["personal"],
            procedure_strong_at=policy.procedure_strong_at,
            personal_strong_at=policy.personal_strong_at,
        )
    return rows


def agent_summaries(
    user, *, since: datetime.datetime | None = None, limit: int = 200
) -> list[dict]:
    """Per agent: number of reviews, mean procedure and personal scores, and the service type
    those means place them in. Aggregated in the database; one row per agent."""
    reviews = reviews_visible_to(user)
    if since is not None:
        reviews = reviews.filter(created_at__gte=since)
    rows = (
        reviews.order_by()
        .values("agent_id", name=F("agent__staff__display_name"))
        .annotate(
            reviews=Count("id"), procedure=Avg("procedure_score"), personal=Avg("personal_score")
        )
        .order_by("name")[:limit]
    )
    return _placed([dict(r) for r in rows], QualityPolicy.current())


def store_summaries(
    user, *, since: datetime.datetime | None = None, limit: int = 200
) -> list[dict]:
    """Per store, the same as agent_summaries (a store is placed by its tickets' reviews)."""
    if not can(user, "quality.summaries"):
        return []
    reviews = reviews_visible_to(user)
    if since is not None:
        reviews = reviews.filter(created_at__gte=since)
    rows = (
        reviews.order_by()
        .values("store_id", code=F("store__code"), name=F("store__name"))
        .annotate(
            reviews=Count("id"), procedure=Avg("procedure_score"), personal=Avg("personal_score")
        )
        .order_by("code")[:limit]
    )
    return _placed([dict(r) for r in rows], QualityPolicy.current())


# ---------------------------------------------------------------- self-assessment


def staff_visible_to(user) -> QuerySet:
    """Whose self-assessments the user may read: their own, plus their scope's for coaches."""
    staff = staff_of(user)
    people = Staff.objects.select_related("user", "store")
    if staff is None:
        return people.none()
    if not can(user, "quality.team_assessments"):
        return people.filter(user=user)
    return in_scope(people, user, store_field="store", region_field="store__region")


def assessments_of(user, staff_id) -> tuple[Staff, QuerySet]:
    person = staff_visible_to(user).filter(pk=staff_id).first() if str(staff_id).isdigit() else None
    if person is None:
        raise NotFound()
    return person, SelfAssessment.objects.filter(staff=person)
