"""Writes for service quality. Each function is one transaction; each change to a ticket leaves
a timeline event (internal: the customer never sees QA or the checklist)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.errors import Conflict, Forbidden, InvalidInput
from kefu.org.selectors import can, staff_of
from kefu.tickets import services as ticket_services
from kefu.tickets.models import Ticket, TicketEvent, TicketType
from kefu.tickets.timeline import lock_ticket, record_event

from . import rules
from .models import ComplaintGuide, QaReview, QaSample, QualityPolicy, SelfAssessment
from .selectors import resolved_by_agent, week_start

# Timeline event kinds this app writes (TicketEvent.kind is free text beyond the foundation's).
STEP_EVENT = "complaint_step"
ROOT_CAUSE_EVENT = "root_cause"
OVERRIDE_EVENT = "language_override"
REVIEW_EVENT = "qa_review"


def _locked_complaint(ticket) -> Ticket:
    """The complaint ticket's row, locked so that two ticks on one guide never interleave.

    The ticket's version is NOT bumped: the checklist is not the ticket, and bumping it would
    make the agent's half-written reply on the same page fail as stale."""
    locked = lock_ticket(ticket, related=("customer", "store"))
    if locked.type != TicketType.COMPLAINT:
        raise Conflict(_("The complaint guide is only for complaint tickets."))
    return locked


def _guide(ticket) -> ComplaintGuide:
    guide, _created = ComplaintGuide.objects.get_or_create(ticket=ticket)
    return guide


def _step_title(code: str) -> str:
    return next(s["zh"] for s in rules.complaint_steps() if s["code"] == code)


# ---------------------------------------------------------------- service language


def record_override(*, ticket, actor, findings: list[dict]) -> TicketEvent:
    """Put a permitted send-despite-a-forbidden-phrase on the timeline (for QA and managers)."""
    staff = staff_of(actor)
    phrases = "、".join(f"「{f['text']}」" for f in findings)
    return record_event(
        ticket,
        OVERRIDE_EVENT,
        actor,
        body=f"经授权，回复中保留了服务禁语：{phrases}",
        findings=findings,
        role=staff.role if staff else None,
    )


# ---------------------------------------------------------------- complaint guide


@transaction.atomic
def tick_step(*, actor, ticket, step: str, done: bool = True) -> ComplaintGuide:
    """Tick (or untick) one of the first five steps of the complaint guide. The confirm step
    is ticked by sending the summary (send_summary), never by hand."""
    if not can(actor, "tickets.reply"):
        raise Forbidden(_("Your role may not work the complaint guide."))
    if step not in rules.STEP_CODES:
        raise InvalidInput(
            _("%(field)s: “%(value)s” is not one of: %(allowed)s."),
            field="step",
            value=str(step)[:40],
            allowed=", ".join(rules.STEP_CODES),
        )
    if step == rules.CONFIRM_STEP:
        raise InvalidInput(
            _("The confirm step is done by sending the summary to the customer."), field="step"
        )
    locked = _locked_complaint(ticket)
    guide = _guide(locked)
    if (step in guide.steps) == done:
        raise Conflict(_("That step is already marked that way."))
    if done:
        guide.steps[step] = {"at": timezone.now().isoformat(), "by": actor.get_username()}
        body = f"投诉处理步骤已完成：{_step_title(step)}"
    else:
        guide.steps.pop(step)
        body = f"投诉处理步骤取消勾选：{_step_title(step)}"
    guide.save(update_fields=["steps", "updated_at"])
    record_event(locked, STEP_EVENT, actor, body=body, step=step, done=done)
    return guide


@transaction.atomic
def set_root_cause(*, actor, ticket, code: str, note: str = "") -> ComplaintGuide:
    """Record why the customer complained, from the seed taxonomy; needed to resolve."""
    if not can(actor, "tickets.status"):
        raise Forbidden(_("Your role may not set the root cause of a complaint."))
    causes = rules.root_causes()
    if code not in causes:
        raise InvalidInput(_("%(field)s: pick one of the listed root causes."), field="root_cause")
    note = (note or "").strip()
    if len(note) > 500:
        raise InvalidInput(
            _("%(field)s: longer than %(max)s characters."), field="root_cause_note", max=500
        )
    locked = _locked_complaint(ticket)
    guide = _guide(locked)
    if guide.root_cause == code and guide.root_cause_note == note:
        raise Conflict(_("Nothing to change."))
    previous = guide.root_cause or None
    guide.root_cause, guide.root_cause_note = code, note
    guide.save(update_fields=["root_cause", "root_cause_note", "updated_at"])
    body = f"投诉根因：{causes[code]['zh']}" + (f"（{note}）" if note else "")
    record_event(locked, ROOT_CAUSE_EVENT, actor, body=body, previous=previous, root_cause=code)
    return guide


@transaction.atomic
def send_summary(
    *,
    actor,
    ticket,
    agreed: str,
    next_steps: str,
    expected_version: int | None = None,
    override: bool = False,
) -> TicketEvent:
    """The confirm step: a reply to the customer restating what was agreed and what happens
    next, signed with the agent's name and how to reach them. It goes through
    tickets.services.add_reply, so the language check and its refusal apply to it too."""

    agreed, next_steps = (agreed or "").strip(), (next_steps or "").strip()
    for field, value in (("agreed", agreed), ("next_steps", next_steps)):
        if not value:
            raise InvalidInput(_("%(field)s: this field is required."), field=field)
        if len(value) > 2000:
            raise InvalidInput(
                _("%(field)s: longer than %(max)s characters."), field=field, max=2000
            )
    locked = _locked_complaint(ticket)
    staff = staff_of(actor)
    phone = (staff.work_phone if staff else "") or (locked.store.phone or "")
    body = rules.summary_text(
        greeting=locked.customer.greeting,
        agreed=agreed,
        next_steps=next_steps,
        agent=staff.display_name if staff else actor.get_username(),
        phone=phone,
        number=locked.number,
    )
    reply = ticket_services.add_reply(
        actor=actor,
        ticket=locked,
        body=body,
        public=True,
        expected_version=expected_version,
        override=override,
    )
    guide = _guide(locked)
    guide.steps[rules.CONFIRM_STEP] = {
        "at": timezone.now().isoformat(),
        "by": actor.get_username(),
        "event": reply.pk,
    }
    guide.summary_event = reply
    guide.save(update_fields=["steps", "summary_event", "updated_at"])
    record_event(
        locked,
        STEP_EVENT,
        actor,
        body=f"投诉处理步骤已完成：{_step_title(rules.CONFIRM_STEP)}（已向顾客发送确认）",
        step=rules.CONFIRM_STEP,
        done=True,
        reply=reply.pk,
    )
    ticket.version = locked.version
    return reply


# ---------------------------------------------------------------- QA reviews and sampling


def agent_of(ticket) -> object | None:
    """Whose work a review of this ticket scores: the assignee, else the last staff member who
    replied to the customer, else whoever resolved it."""
    if ticket.assignee_id:
        return ticket.assignee
    event = (
        TicketEvent.objects.filter(ticket=ticket, actor__isnull=False, kind__in=["reply", "status"])
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    return event.actor if event else None


@transaction.atomic
def record_review(*, reviewer, ticket, scores: dict, comment: str = "") -> QaReview:
    """A QA scorecard: every one of the 14 standards scored 1–5 (with an optional note). The
    two side averages place the agent in a service type, by the policy's thresholds."""
    if not can(reviewer, "quality.review"):
        raise Forbidden(_("Only QA monitors and the CS manager review tickets."))
    codes = rules.standard_codes()
    clean: dict[str, dict] = {}
    for code in codes:
        item = scores.get(code)
        if item is None:
            raise InvalidInput(_("%(field)s: this field is required."), field=f"scores.{code}")
        score = item.get("score") if isinstance(item, dict) else item
        try:
            score = int(score)
        except (TypeError, ValueError):
            score = 0
        if not 1 <= score <= 5:
            raise InvalidInput(_("%(field)s: a score from 1 to 5."), field=f"scores.{code}")
        note = (item.get("note") or "").strip() if isinstance(item, dict) else ""
        if len(note) > 500:
            raise InvalidInput(
                _("%(field)s: longer than %(max)s characters."),
                field=f"scores.{code}.note",
                max=500,
            )
        clean[code] = {"score": score, "note": note}
    unknown = sorted(set(scores) - set(codes))
    if unknown:
        raise InvalidInput(_("%(field)s: unknown field."), field=f"scores.{unknown[0]}")
    comment = (comment or "").strip()[:4000]
    # Lock only the ticket row: PostgreSQL refuses FOR UPDATE on the nullable side of the join.
    locked = lock_ticket(ticket, related=("assignee",))
    agent = agent_of(locked)
    if agent is None:
        raise Conflict(_("Nobody has worked this ticket yet, so there is no one to review."))
    averages = rules.side_averages({c: v["score"] for c, v in clean.items()})
    policy = QualityPolicy.current()
    placed = rules.service_type(
        averages["procedure"],
        averages["personal"],
        procedure_strong_at=policy.procedure_strong_at,
        personal_strong_at=policy.personal_strong_at,
    )
    review = QaReview.objects.create(
        ticket=locked,
        agent=agent,
        store_id=locked.store_id,
        reviewer=reviewer,
        scores=clean,
        procedure_score=averages["procedure"],
        personal_score=averages["personal"],
        service_type=placed,
        comment=comment,
    )
    QaSample.objects.filter(ticket=locked, review__isnull=True).update(review=review)
    label = rules.service_types()[placed]["zh"]
    record_event(
        locked,
        REVIEW_EVENT,
        reviewer,
        body=f"质检评分：程序面 {averages['procedure']}，个人面 {averages['personal']}（{label}）",
        review=review.pk,
        service_type=placed,
    )
    return review


def sample_week(monday: datetime.date, *, n: int | None = None) -> list[QaSample]:
    """Draw the week's QA sample: up to N resolved tickets per agent (N from the policy).

    Deterministic: the same week draws the same tickets, so a rerun (or the periodic task
    firing twice) adds nothing, and raising N only adds tickets."""

    monday = week_start(monday)
    n = QualityPolicy.current().sample_per_agent_week if n is None else n
    key = f"kefu-qa-sample:{settings.SECRET_KEY}".encode()
    rows = []
    for agent_id, ticket_ids in resolved_by_agent(monday).items():
        for ticket_id in rules.sample(ticket_ids, n=n, key=key, week=monday.isoformat()):
            rows.append(QaSample(week=monday, agent_id=agent_id, ticket_id=ticket_id))
    with transaction.atomic():
        existing = set(QaSample.objects.filter(week=monday).values_list("ticket_id", flat=True))
        new = [r for r in rows if r.ticket_id not in existing]
        QaSample.objects.bulk_create(new, ignore_conflicts=True)
    return new


# ---------------------------------------------------------------- self-assessment


@transaction.atomic
def submit_self_assessment(*, actor, answers) -> SelfAssessment:
    """Keep one self-assessment (ten statements, 10–1 each) in the person's history."""
    staff = staff_of(actor)
    if staff is None or staff.pk is None:
        raise Forbidden(_("Only staff with a profile keep a self-assessment."))
    try:
        total = rules.assessment_total(list(answers))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("%(field)s: answer all ten statements, each from 10 to 1."), field="answers"
        ) from None
    band = rules.assessment_band(total)
    return SelfAssessment.objects.create(
        staff=staff, answers=list(answers), total=total, band=band["code"]
    )
