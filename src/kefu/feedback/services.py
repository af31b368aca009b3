"""Writes of the customer's voice. Each function is one transaction and leaves a line on the
ticket's timeline (feedback cards without a ticket keep their own record: who handled them, when, how)."""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.core import mail as django_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kefu import clean
from kefu.customers.selectors import shown
from kefu.customers.services import find_or_create_customer
from kefu.errors import Conflict, Forbidden, InvalidInput, NotFound
from kefu.notifications.models import NotificationKind
from kefu.notifications.services import notify
from kefu.org.models import Staff, Store
from kefu.org.roles import LADDER, RUNG_HOLDER, Tier
from kefu.org.selectors import can, staff_of
from kefu.tasks import queued
from kefu.tickets import services as ticket_services
from kefu.tickets.models import Channel, Status, Ticket, TicketEvent, TicketType
from kefu.tickets.selectors import tickets_visible_to
from kefu.tickets.timeline import lock_ticket, record_event, record_events

from . import rules, selectors
from .models import (
    CallOutcome,
    CardCategory,
    Compensation,
    CompensationKind,
    CompensationPurpose,
    CompensationStatus,
    FeedbackCard,
    FeedbackSettings,
    FollowUp,
    FollowUpReason,
    FollowUpRule,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
)

log = logging.getLogger(__name__)
MAX_TEXT = 2000
SWEEP_BATCH = 1000


class Kind:
    """Timeline event kinds this app writes (TicketEvent.kind)."""

    SURVEY_SENT = "survey_sent"
    SURVEY_ANSWERED = "survey_answered"
    FOLLOWUP_CREATED = "followup_created"
    FOLLOWUP_CALL = "followup_call"
    COMPENSATION_REQUESTED = "compensation_requested"
    COMPENSATION_APPROVED = "compensation_approved"
    COMPENSATION_REJECTED = "compensation_rejected"
    FEEDBACK_CARD = "feedback_card"
    NOTICE = "feedback_notice"


# ---- small helpers -----------------------------------------------------------------------------


def _require(actor, capability: str):
    if not can(actor, capability):
        raise Forbidden(_("Your role may not do this."))


def _score(value, field: str, *, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(_("%(field)s: please choose a score from 1 to 5."), field=field)
        return None
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5 or str(value).strip() not in {str(score), f"{score}.0"}:
        raise InvalidInput(_("%(field)s: please choose a score from 1 to 5."), field=field)
    return score


def _notify(users, text: str, ticket=None, **data) -> None:
    """Tell colleagues about something: the desk bell (and a mail copy where mail is set up),
    an internal timeline event on the ticket when there is one, and a log line. Users may be
    empty (nobody at that rung): the event says so."""
    usernames = sorted({u.get_username() for u in users if u is not None})
    if ticket is not None:
        who = "、".join(usernames) if usernames else str(_("nobody at that rung yet"))
        record_event(
            ticket,
            Kind.NOTICE,
            None,
            body=str(_("Notified %(who)s: %(text)s") % {"who": who, "text": text}),
            to=usernames,
            **data,
        )
    log.info("feedback notice to %s: %s", ",".join(usernames) or "-", data)
    notify(
        [u.pk for u in users if u is not None],
        kind=NotificationKind.CUSTOMER_VOICE,
        text=str(text),
        ticket=ticket,
    )


def _followup_line(followup: FollowUp) -> str:
    return str(
        _("Follow-up call (%(reason)s) due by %(due)s.")
        % {"reason": FollowUpReason(followup.reason).label, "due": followup.due_on.isoformat()}
    )


def _what(item: Compensation) -> str:
    """¥88.00 cash or refund · goodwill gesture / ¥199.00 gift: 电饭煲 · …"""
    kind = CompensationKind(item.kind).label + (f"（{item.gift}）" if item.gift else "")
    return f"¥{item.amount} {kind} · {CompensationPurpose(item.purpose).label}"


def _sole(users: list):
    """The one person when there is exactly one; with several, nobody in particular."""
    return users[0] if len(users) == 1 else None


# ---- reopening for an unhappy customer ---------------------------------------------------------


def _reopen_to_store_manager(ticket_id: int, *, reason: str, body: str) -> Ticket:
    """Put a ticket back in front of the store manager because the customer is unhappy
    (a low survey score or an unhappy follow-up call). Runs inside the caller's transaction,
    through the ticket services' system forms (actor None), so the workflow, the status checks
    and the signals apply as to any other change.

    A resolved or closed ticket reopens (status event, public like any reopen); a ticket below
    the store-manager rung climbs to it (escalated event, automatic); at that rung it goes to the
    store's manager when there is exactly one, else it waits in the rung's queue. A ticket already
    above that rung (regional manager, CS department) stays with its owner."""
    ticket = lock_ticket(ticket_id)
    reopened = ticket.status in (Status.RESOLVED, Status.CLOSED)
    if reopened:
        ticket = ticket_services.reopen(ticket=ticket, reason=reason, body=body)
    climbs = LADDER.index(ticket.escalation_tier) < LADDER.index(Tier.STORE_MANAGER)
    if climbs:
        ticket = ticket_services.escalate(
            actor=None,
            ticket=ticket,
            reason=body,
            to_tier=Tier.STORE_MANAGER,
            automatic=True,
            cause=reason,
        )
    if ticket.escalation_tier == Tier.STORE_MANAGER:
        manager = _sole(selectors.store_managers(ticket.store_id))
        # The one store manager takes it; without one, a ticket that came back (or climbed)
        # waits in the rung's queue, and a ticket still being worked keeps its assignee.
        if manager or reopened or climbs:
            ticket = ticket_services.assign(
                actor=None,
                ticket=ticket,
                assignee=manager.get_username() if manager else None,
                reason=reason,
            )
    return ticket


def _follow_up_unhappy(ticket_id: int, *, reason: str, body: str, actor=None) -> FollowUp:
    """Reopen to the store manager and give them a call to make, due in a couple of days."""
    reason = FollowUpReason(reason).value  # plain text in timeline data and logs
    conf = FeedbackSettings.current()
    ticket = _reopen_to_store_manager(ticket_id, reason=reason, body=body)
    managers = selectors.managers_for(ticket.store_id, ticket.region_id)
    assignee = _sole(selectors.store_managers(ticket.store_id))
    due = timezone.localdate() + datetime.timedelta(days=conf.call_due_days)
    followup = FollowUp.objects.create(
        ticket=ticket,
        store_id=ticket.store_id,
        region_id=ticket.region_id,
        reason=reason,
        assignee=assignee,
        due_on=due,
    )
    record_event(
        ticket,
        Kind.FOLLOWUP_CREATED,
        actor,
        body=_followup_line(followup),
        followup=followup.pk,
        reason=reason,
        due_on=due.isoformat(),
        assignee=assignee.username if assignee else None,
    )
    _notify(
        managers,
        _("Unhappy customer on ticket %(number)s: please call them back by %(due)s.")
        % {"number": ticket.number, "due": due.isoformat()},
        ticket,
        followup=followup.pk,
        reason=reason,
    )
    return followup


# ---- satisfaction surveys ----------------------------------------------------------------------


def mail_configured() -> bool:
    """Survey mail goes out when an SMTP host is configured (not Django's default "localhost")
    and KEFU_PUBLIC_URL says where customers reach the portal (a mail needs a full link)."""
    host = getattr(settings, "EMAIL_HOST", "") or ""
    return host not in ("", "localhost") and bool(getattr(settings, "KEFU_PUBLIC_URL", ""))


def survey_on_resolution(ticket: Ticket) -> Survey:
    """A resolved ticket gets its satisfaction survey (满意度调查): one per ticket, shown on the
    customer's tracking page and at its own private link; the customer is told of it by the
    channels pipeline's "resolved" message (with consent to surveys). Resolved again before the
    customer answered: the same survey stays open for another full period; once answered, a
    ticket is never surveyed again."""
    conf = FeedbackSettings.current()
    expires = timezone.now() + datetime.timedelta(days=conf.survey_valid_days)
    survey = Survey.objects.filter(ticket_id=ticket.pk).first()
    if survey is not None:
        if not survey.is_answered:
            survey.expires_at = expires
            survey.save(update_fields=["expires_at"])
        return survey
    survey = Survey.objects.create(
        ticket=ticket, store_id=ticket.store_id, region_id=ticket.region_id, expires_at=expires
    )
    # One path to the customer: the channels pipeline's "resolved" message carries the survey
    # link on the customer's channel (SMS, WeChat or mail), honouring consent and opt-outs.
    # Mailing it here as well sent a customer on e-mail the same link twice.
    record_event(
        ticket,
        Kind.SURVEY_SENT,
        None,
        body=str(_("Satisfaction survey offered to the customer on the tracking page.")),
        survey=survey.pk,
        channels=["link"],
    )
    return survey


def mail_survey(survey_id: int) -> bool:
    """Mail the survey link on its own (a manual resend; an SMTP error raises). Resolution does
    not call this: the link reaches the customer once, in the channels pipeline's message."""

    survey = Survey.objects.select_related("ticket__customer", "store").filter(pk=survey_id).first()
    if survey is None or survey.mailed_at or survey.is_answered or not mail_configured():
        return False
    customer = survey.ticket.customer
    if not customer.email or not customer.consent_contact:
        return False
    link = settings.KEFU_PUBLIC_URL.rstrip("/") + reverse(
        "portal:survey", kwargs={"token": survey.token}
    )
    context = {
        "survey": survey,
        "ticket": survey.ticket,
        "customer": customer,
        "link": link,
        "days": FeedbackSettings.current().survey_valid_days,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("feedback/mail/survey_subject.txt", context).strip()
        body = render_to_string("feedback/mail/survey.txt", context)
    django_mail.send_mail(subject, body, None, [customer.email])
    Survey.objects.filter(pk=survey.pk).update(mailed_at=timezone.now())
    return True


# The queued form of mail_survey (a manual resend): an SMTP failure raises and Huey tries again
# in ten minutes. Declared beside its service (tasks.py calls this module, never back).
send_survey_mail = queued(mail_survey, retries=3, retry_delay=600)


@transaction.atomic
def answer_survey(*, token: str, csat, answers: dict | None = None, comment: str = "") -> Survey:
    """The customer's answer: overall score 1–5 (required), a score per active question (optional)
    and a comment. One answer per ticket: a second one is refused politely. A score at or below
    the threshold reopens the ticket to the store manager with a follow-up call."""
    found = (
        Survey.objects.filter(token=selectors.clean(token)).values_list("pk", "ticket_id").first()
    )
    if found is None:
        raise NotFound()
    # Lock the ticket before the survey, in the order change_status → survey_on_resolution takes
    # them, so that an answer racing a re-resolution waits instead of deadlocking.
    lock_ticket(found[1])
    survey = Survey.objects.select_for_update().get(pk=found[0])
    if survey.is_answered:
        raise Conflict(
            _("Thank you, we already have your rating for this ticket. Each ticket is rated once."),
            code="already_answered",
        )
    if survey.expires_at < timezone.now():
        raise Conflict(
            _(
                "This survey has closed. If something is still not right, please write to us on your ticket page or call our hotline."
            ),
            code="expired",
        )
    csat = _score(csat, "csat")
    questions = {q.code: q for q in SurveyQuestion.objects.filter(is_active=True)}
    scores = {}
    for code, value in (answers or {}).items():
        if code not in questions:
            raise InvalidInput(_("%(field)s: unknown question."), field=str(code)[:40])
        score = _score(value, code, required=False)
        if score is not None:
            scores[code] = score
    comment = clean.text(comment, "comment", required=False, max_length=MAX_TEXT)
    survey.csat, survey.comment, survey.answered_at = csat, comment, timezone.now()
    survey.save(update_fields=["csat", "comment", "answered_at"])
    SurveyAnswer.objects.bulk_create(
        [SurveyAnswer(survey=survey, question=questions[c], score=s) for c, s in scores.items()]
    )
    low = rules.is_low_score(csat, FeedbackSettings.current().low_score_threshold)
    ticket = Ticket.objects.get(pk=survey.ticket_id)
    line = str(_("Satisfaction survey answered: %(csat)s/5.") % {"csat": csat})
    if scores:
        line += " " + " · ".join(f"{questions[c].label} {v}" for c, v in scores.items())
    record_event(
        ticket,
        Kind.SURVEY_ANSWERED,
        None,
        body="\n".join(filter(None, [line, comment])),
        survey=survey.pk,
        csat=csat,
        answers=scores,
        low=low,
    )
    if low:
        _follow_up_unhappy(
            ticket.pk,
            reason=FollowUpReason.LOW_SCORE,
            body=str(
                _("Satisfaction %(csat)s/5 from the survey: reopened for the store manager.")
                % {"csat": csat}
            ),
        )
    return survey


# ---- follow-up calls (回访) --------------------------------------------------------------------


def generate_followups(*, today: datetime.date | None = None) -> int:
    """The daily sweep: for every active rule, create the calls that have come due — tickets of
    the rule's type resolved N days ago (or up to `lookback_days` earlier, if a sweep was missed),
    still resolved or closed, whose customer agrees to calls, in the rule's sample. Idempotent:
    a rule calls about a ticket once (a unique constraint backs this up). Returns how many were made."""
    conf = FeedbackSettings.current()
    today = today or timezone.localdate()
    made = 0
    for rule in FollowUpRule.objects.filter(is_active=True).order_by("id"):
        last_day = today - datetime.timedelta(days=rule.days_after_resolution)
        first_day = last_day - datetime.timedelta(days=conf.lookback_days)
        while True:
            batch = list(
                selectors.followup_candidates(rule, first_day, last_day).values_list(
                    "id", "store_id", "region_id", "resolved_at"
                )[:SWEEP_BATCH]
            )
            if not batch:
                break
            try:
                made += _create_rule_calls(rule, batch, conf)
            except IntegrityError:  # a parallel sweep made them first; nothing is lost
                log.warning("follow-up sweep for rule %s raced another sweep", rule.pk)
                break
            if len(batch) < SWEEP_BATCH:
                break
    return made


@transaction.atomic
def _create_rule_calls(rule: FollowUpRule, batch: list[tuple], conf: FeedbackSettings) -> int:
    lead = datetime.timedelta(days=rule.days_after_resolution + conf.call_due_days)
    calls = FollowUp.objects.bulk_create(
        [
            FollowUp(
                ticket_id=ticket_id,
                store_id=store_id,
                region_id=region_id,
                rule=rule,
                reason=FollowUpReason.RULE,
                due_on=timezone.localdate(resolved_at) + lead,
            )
            for ticket_id, store_id, region_id, resolved_at in batch
        ]
    )
    record_events(
        [
            TicketEvent(
                ticket_id=c.ticket_id,
                kind=Kind.FOLLOWUP_CREATED,
                public=False,
                body=_followup_line(c),
                data={
                    "followup": c.pk,
                    "reason": FollowUpReason.RULE,
                    "rule": rule.name,
                    "due_on": c.due_on.isoformat(),
                },
            )
            for c in calls
        ]
    )
    return len(calls)


def call_script(followup: FollowUp, caller) -> str:
    """The script for this call, filled in: the customer's honorific, the store, the caller's name."""
    ticket = followup.ticket
    staff = staff_of(caller)
    # The honorific on file only for a caller it is disclosed to (else the neutral 您好).
    seen = shown(caller, ticket.customer)
    resolved = timezone.localtime(ticket.resolved_at) if ticket.resolved_at else None
    template = rules.script_for(
        followup.reason, ticket.type, followup.rule.script if followup.rule_id else ""
    )
    return rules.render_script(
        template,
        {
            "greeting": seen["greeting"],
            "honorific": seen["honorific"],
            "store": followup.store.name,
            "agent": staff.display_name if staff else caller.get_username(),
            "number": ticket.number,
            "subject": ticket.subject,
            "resolved_on": f"{resolved.month}月{resolved.day}日" if resolved else "近日",
        },
    )


@transaction.atomic
def record_call(*, actor, followup_id, outcome: str, note: str = "") -> FollowUp:
    """Record how a follow-up call went. Not reached: the call stays on the list until the
    attempts run out. Unsatisfied (say why in the note): the ticket goes back to the store
    manager with another call to make."""
    _require(actor, "feedback.followups")
    followup = (
        selectors.followups_visible_to(actor).select_for_update().filter(pk=followup_id).first()
        if str(followup_id).isdigit()
        else None
    )
    if followup is None:
        raise NotFound()
    if followup.done_at is not None:
        raise Conflict(_("This call is already recorded."))
    clean.choice(outcome, CallOutcome, "outcome")
    note = clean.text(
        note, "note", required=outcome == CallOutcome.UNSATISFIED, max_length=MAX_TEXT
    )
    conf = FeedbackSettings.current()
    followup.attempts += 1
    done = outcome != CallOutcome.NOT_REACHED or followup.attempts >= conf.max_call_attempts
    followup.note = note
    if done:
        followup.outcome, followup.done_at, followup.done_by = outcome, timezone.now(), actor
    followup.save(update_fields=["attempts", "note", "outcome", "done_at", "done_by"])
    ticket = Ticket.objects.get(pk=followup.ticket_id)
    line = str(
        _("Follow-up call: %(outcome)s (attempt %(n)s).")
        % {"outcome": CallOutcome(outcome).label, "n": followup.attempts}
    )
    record_event(
        ticket,
        Kind.FOLLOWUP_CALL,
        actor,
        body="\n".join(filter(None, [line, note])),
        followup=followup.pk,
        outcome=outcome,
        attempt=followup.attempts,
        done=done,
    )
    if outcome == CallOutcome.UNSATISFIED:
        _follow_up_unhappy(
            ticket.pk,
            reason=FollowUpReason.UNSATISFIED,
            actor=actor,
            body=str(_("Customer unsatisfied on the follow-up call: %(note)s") % {"note": note}),
        )
    return followup


# ---- feedback cards (意见卡) -------------------------------------------------------------------

CARD_TICKET_TYPE = {
    CardCategory.COMPLAINT: TicketType.COMPLAINT,
    CardCategory.SUGGESTION: TicketType.SUGGESTION,
    CardCategory.PRAISE: TicketType.SUGGESTION,
    CardCategory.OTHER: TicketType.OTHER,
}


@transaction.atomic
def submit_card(
    *,
    store: str,
    category: str,
    text: str,
    name: str = "",
    phone: str = "",
    gender: str | None = None,
    consent: bool = False,
) -> FeedbackCard:
    """A customer leaves a feedback card on the portal, for one store. Anonymous when neither name
    nor mobile is given; signed when both are (the mobile is validated and the card linked to
    that customer, created if new). It lands in the store manager's inbox."""
    store_obj = Store.objects.filter(is_active=True, code=selectors.clean(store)).first()
    if store_obj is None:
        raise InvalidInput(_("%(field)s: please choose a store."), field="store")
    clean.choice(category, CardCategory, "category")
    text = clean.text(text, "text", max_length=MAX_TEXT)
    name, phone = selectors.clean(name).strip(), selectors.clean(phone).strip()
    customer = None
    if name or phone:
        if not phone:
            raise InvalidInput(
                _(
                    "%(field)s: please give your mobile number too, or leave both name and mobile empty to stay anonymous."
                ),
                field="phone",
            )
        if not name:
            raise InvalidInput(
                _(
                    "%(field)s: please give your name too, or leave both name and mobile empty to stay anonymous."
                ),
                field="name",
            )
        if not consent:
            raise InvalidInput(
                _(
                    "%(field)s: please agree that we use your contact details to answer you, or leave them empty to stay anonymous."
                ),
                field="consent",
            )
        customer = find_or_create_customer(
            actor=None,
            name=name,
            phone=phone,
            gender=gender or None,
            store=store_obj,
            field_prefix="",
        )
    card = FeedbackCard.objects.create(
        store=store_obj,
        region_id=store_obj.region_id,
        category=category,
        text=text,
        customer=customer,
    )
    _notify(
        selectors.managers_for(store_obj.id, store_obj.region_id),
        _("New feedback card (%(category)s) for %(store)s.")
        % {"category": card.get_category_display(), "store": store_obj.name},
        None,
        card=card.pk,
        store=store_obj.code,
    )
    return card


@transaction.atomic
def handle_card(*, actor, card_id, note: str) -> FeedbackCard:
    """The manager notes what was done about a card; it leaves the inbox's "new" list."""
    card = (
        selectors.cards_visible_to(actor).select_for_update().filter(pk=card_id).first()
        if str(card_id).isdigit()
        else None
    )
    if card is None:
        raise NotFound()
    if card.handled_at is not None:
        raise Conflict(_("This card is already handled."))
    card.handling_note = clean.text(note, "note", max_length=MAX_TEXT)
    card.handled_at, card.handled_by = timezone.now(), actor
    card.save(update_fields=["handling_note", "handled_at", "handled_by"])
    return card


@transaction.atomic
def card_to_ticket(*, actor, card_id) -> Ticket:
    """Turn a signed card into a ticket, so the customer gets an answer through the usual
    workflow; the card is then handled, pointing at the ticket."""
    card = (
        selectors.cards_visible_to(actor).select_for_update().filter(pk=card_id).first()
        if str(card_id).isdigit()
        else None
    )
    if card is None:
        raise NotFound()
    if card.ticket_id:
        raise Conflict(_("This card already has a ticket."))
    if card.customer_id is None:
        raise Conflict(_("An anonymous card cannot become a ticket: there is nobody to answer."))
    subject = str(_("Feedback card: %(text)s") % {"text": card.text[:40]})[:200]
    ticket, _created = ticket_services.open_ticket(
        actor=actor,
        type=CARD_TICKET_TYPE[card.category],
        channel=Channel.WEB,
        subject=subject,
        description=card.text,
        store=card.store,
        customer=card.customer,
    )
    record_event(
        ticket,
        Kind.FEEDBACK_CARD,
        actor,
        body=str(_("Opened from feedback card #%(card)s.") % {"card": card.pk}),
        card=card.pk,
        category=card.category,
    )
    card.ticket = ticket
    if card.handled_at is None:
        card.handled_at, card.handled_by = timezone.now(), actor
        card.handling_note = str(_("Ticket %(number)s opened.") % {"number": ticket.number})
    card.save(update_fields=["ticket", "handled_at", "handled_by", "handling_note"])
    return ticket


# ---- compensation and goodwill -----------------------------------------------------------------


def _awaiting_rung(amount: Decimal, requester_tier: str, limits: dict) -> str:
    """Who decides a request above the requester's own limit: the lowest rung above the
    requester (the CS department decides for itself) whose limit covers the amount."""
    start = min(LADDER.index(requester_tier) + 1, len(LADDER) - 1)
    rung = rules.approval_rung(amount, selectors.ladder_limits(limits)[start:])
    if rung is None:
        raise Conflict(
            _(
                "¥%(amount)s is above every approval limit. Ask an administrator to review the limits."
            ),
            amount=amount,
        )
    return rung


@transaction.atomic
def request_compensation(
    *, actor, ticket: Ticket, kind: str, purpose: str, amount, reason: str, gift: str = ""
) -> Compensation:
    """Offer the customer money, a voucher or a gift (for a loss we caused, or as a goodwill
    gesture). Within the requester's own limit it is approved at once; above it, it waits for
    the rung whose limit covers it."""
    _require(actor, "feedback.compensation.request")
    if not tickets_visible_to(actor).filter(pk=ticket.pk).exists():
        raise NotFound()
    staff = staff_of(actor)
    clean.choice(kind, CompensationKind, "kind")
    clean.choice(purpose, CompensationPurpose, "purpose")
    amount = clean.money(amount, "amount", positive=True)
    gift = clean.text(gift, "gift", required=kind == CompensationKind.GIFT, max_length=100)
    reason = clean.text(reason, "reason", max_length=MAX_TEXT)
    limits = selectors.role_limits()
    own = selectors.limit_of(staff.role, limits)
    item = Compensation(
        ticket=ticket,
        store_id=ticket.store_id,
        region_id=ticket.region_id,
        kind=kind,
        purpose=purpose,
        amount=amount,
        gift=gift,
        reason=reason,
        requested_by=actor,
    )
    facts = {"kind": kind, "purpose": purpose, "amount": str(amount), "gift": gift}
    if rules.covers(own, amount):
        item.status, item.decided_by, item.decided_at = (
            CompensationStatus.APPROVED,
            actor,
            timezone.now(),
        )
        item.save()
        line = str(_("Compensation given within own limit: %(what)s.") % {"what": _what(item)})
        record_event(
            ticket,
            Kind.COMPENSATION_APPROVED,
            actor,
            body=f"{line}\n{reason}",
            compensation=item.pk,
            own_limit=True,
            **facts,
        )
        return item
    item.awaiting_tier = _awaiting_rung(amount, staff.tier, limits)
    item.save()
    line = str(
        _("Compensation requested: %(what)s; waits for: %(rung)s.")
        % {"what": _what(item), "rung": Tier(item.awaiting_tier).label}
    )
    record_event(
        ticket,
        Kind.COMPENSATION_REQUESTED,
        actor,
        body=f"{line}\n{reason}",
        compensation=item.pk,
        awaiting=item.awaiting_tier,
        **facts,
    )
    _notify(
        _deciders(item, limits),
        _("Compensation of ¥%(amount)s on ticket %(number)s waits for your approval.")
        % {"amount": amount, "number": ticket.number},
        ticket,
        compensation=item.pk,
    )
    return item


def _deciders(item: Compensation, limits: dict) -> list:
    """The people at the awaiting rung, in scope of the ticket's store, whose limit covers it."""

    role = RUNG_HOLDER[item.awaiting_tier]
    people = Staff.objects.filter(role=role, user__is_active=True).select_related("user")
    if item.awaiting_tier in (Tier.STORE_STAFF, Tier.STORE_MANAGER):
        people = people.filter(store_id=item.store_id)
    elif item.awaiting_tier == Tier.REGIONAL_MANAGER:
        people = people.filter(region_id=item.region_id)
    return [s.user for s in people if rules.covers(selectors.limit_of(role, limits), item.amount)]


def _decidable(actor, compensation_id) -> Compensation:
    item = (
        selectors.compensations_visible_to(actor)
        .select_for_update()
        .filter(pk=compensation_id)
        .first()
        if str(compensation_id).isdigit()
        else None
    )
    if item is None:
        raise NotFound()
    if item.status != CompensationStatus.REQUESTED:
        raise Conflict(
            _("This request is already decided (%(status)s)."), status=item.get_status_display()
        )
    if item.requested_by_id == actor.pk:
        raise Forbidden(_("Your own request is decided by someone else."))
    staff = staff_of(actor)
    limit = selectors.limit_of(staff.role, selectors.role_limits())
    if not rules.covers(limit, item.amount):
        raise Forbidden(
            _("¥%(amount)s is above your approval limit of ¥%(limit)s; it waits for: %(rung)s."),
            amount=item.amount,
            limit=limit,
            rung=Tier(item.awaiting_tier).label,
        )
    if LADDER.index(staff.tier) < LADDER.index(item.awaiting_tier):
        raise Forbidden(_("This request waits for: %(rung)s."), rung=Tier(item.awaiting_tier).label)
    return item


@transaction.atomic
def approve_compensation(*, actor, compensation_id, note: str = "") -> Compensation:
    """Approve a request: the approver sees its store and their limit covers the amount."""
    item = _decidable(actor, compensation_id)
    item.status, item.decided_by, item.decided_at = (
        CompensationStatus.APPROVED,
        actor,
        timezone.now(),
    )
    item.decision_note = clean.text(note, "note", required=False, max_length=MAX_TEXT)
    item.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    line = str(_("Compensation approved: %(what)s.") % {"what": _what(item)})
    record_event(
        item.ticket,
        Kind.COMPENSATION_APPROVED,
        actor,
        body="\n".join(filter(None, [line, item.decision_note])),
        compensation=item.pk,
        kind=item.kind,
        purpose=item.purpose,
        amount=str(item.amount),
        gift=item.gift,
        own_limit=False,
    )
    _notify(
        [item.requested_by],
        _("Compensation of ¥%(amount)s on ticket %(number)s was approved.")
        % {"amount": item.amount, "number": item.ticket.number},
        item.ticket,
        compensation=item.pk,
    )
    return item


@transaction.atomic
def reject_compensation(*, actor, compensation_id, reason: str) -> Compensation:
    """Refuse a request (with a reason the requester reads); the same people who may approve may refuse."""
    item = _decidable(actor, compensation_id)
    item.decision_note = clean.text(reason, "reason", max_length=MAX_TEXT)
    item.status, item.decided_by, item.decided_at = (
        CompensationStatus.REJECTED,
        actor,
        timezone.now(),
    )
    item.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    line = str(_("Compensation rejected: %(what)s.") % {"what": _what(item)})
    record_event(
        item.ticket,
        Kind.COMPENSATION_REJECTED,
        actor,
        body=f"{line}\n{item.decision_note}",
        compensation=item.pk,
        amount=str(item.amount),
        kind=item.kind,
    )
    _notify(
        [item.requested_by],
        _("Compensation of ¥%(amount)s on ticket %(number)s was not approved.")
        % {"amount": item.amount, "number": item.ticket.number},
        item.ticket,
        compensation=item.pk,
    )
    return item
