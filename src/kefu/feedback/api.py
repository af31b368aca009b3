"""Staff endpoints of the customer's voice at /api/v1/feedback/… — surveys, follow-up calls,
feedback cards, compensation. Everything is scoped: outside your store or region it is a 404."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja import Status as WithStatus

from kefu.api.schema import ERRORS, Strict
from kefu.customers.selectors import contact_for, reveal_contact, shown
from kefu.errors import Forbidden
from kefu.org.selectors import can
from kefu.tickets import selectors as ticket_selectors

from . import selectors, services
from .models import (
    CallOutcome,
    CardCategory,
    CompensationKind,
    CompensationPurpose,
    CompensationStatus,
    FeedbackSettings,
)

router = Router()


def _store_param():
    """?store=SH001: a store's code (letters, digits, - and _ only)."""
    return Query(
        None, max_length=20, pattern=r"^[A-Za-z0-9_-]*$", description="a store's code, e.g. SH001"
    )


API_PREFIX = "/feedback"
API_TAGS = ["feedback"]

OutcomeT = Literal[tuple(CallOutcome.values)]  # type: ignore[valid-type]
CategoryT = Literal[tuple(CardCategory.values)]  # type: ignore[valid-type]
KindT = Literal[tuple(CompensationKind.values)]  # type: ignore[valid-type]
PurposeT = Literal[tuple(CompensationPurpose.values)]  # type: ignore[valid-type]
CompStatusT = Literal[tuple(CompensationStatus.values)]  # type: ignore[valid-type]


def _name(user) -> str | None:
    if user is None:
        return None
    staff = getattr(user, "staff", None)
    return staff.display_name if staff else user.get_username()


# ---- schemas -----------------------------------------------------------------------------------


class SurveyOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str
    store: str
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    csat: int | None
    answers: dict[str, int]
    comment: str


class FollowUpOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str
    store: str
    reason: str
    rule: str | None
    assignee: str | None
    due_on: date
    overdue: bool
    attempts: int
    outcome: str
    note: str
    done_at: datetime | None


class FollowUpDetailOut(FollowUpOut):
    customer: dict
    script: str


class CardOut(Schema):
    id: int
    store: str
    category: str
    text: str
    anonymous: bool
    customer: dict | None
    created_at: datetime
    handled_at: datetime | None
    handling_note: str
    ticket_id: int | None


class CompensationOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str
    store: str
    kind: str
    purpose: str
    amount: Decimal
    gift: str
    reason: str
    status: str
    awaiting_tier: str
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    may_decide: bool | None = Field(
        None, description="whether you may approve or reject it (on a ticket's voice)"
    )


class TicketVoiceOut(Schema):
    survey: SurveyOut | None
    followups: list[FollowUpOut]
    compensations: list[CompensationOut]
    my_limit: Decimal | None = Field(
        description="the most you may approve yourself (null: unlimited)"
    )


class SurveyPage(Schema):
    items: list[SurveyOut]
    limit: int
    offset: int


class FollowUpPage(Schema):
    items: list[FollowUpOut]
    limit: int
    offset: int


class CardPage(Schema):
    items: list[CardOut]
    limit: int
    offset: int


class CompensationPage(Schema):
    items: list[CompensationOut]
    limit: int
    offset: int


class CallIn(Strict):
    outcome: OutcomeT
    note: str = Field("", max_length=2000)


class NoteIn(Strict):
    note: str = Field("", max_length=2000)


class RejectIn(Strict):
    reason: str = Field(max_length=2000)


class CompensationIn(Strict):
    kind: KindT
    purpose: PurposeT
    amount: Decimal = Field(description='yuan, at most two decimals (fen), e.g. "88.00"')
    gift: str = Field(
        "", max_length=100, description="what the gift or voucher is (required for a gift)"
    )
    reason: str = Field(max_length=2000)


# ---- shaping -----------------------------------------------------------------------------------


def survey_out(s) -> dict:
    return {
        "id": s.id,
        "ticket_id": s.ticket_id,
        "ticket_number": s.ticket.number,
        "store": s.store.code,
        "sent_at": s.created_at,
        "expires_at": s.expires_at,
        "answered_at": s.answered_at,
        "csat": s.csat,
        "answers": {a.question.code: a.score for a in s.answers.all()},
        "comment": s.comment,
    }


def followup_out(f, today=None) -> dict:

    today = today or timezone.localdate()
    return {
        "id": f.id,
        "ticket_id": f.ticket_id,
        "ticket_number": f.ticket.number,
        "store": f.store.code,
        "reason": f.reason,
        "rule": f.rule.name if f.rule_id else None,
        "assignee": f.assignee.username if f.assignee_id else None,
        "due_on": f.due_on,
        "overdue": f.done_at is None and f.due_on < today,
        "attempts": f.attempts,
        "outcome": f.outcome,
        "note": f.note,
        "done_at": f.done_at,
    }


def card_out(c, reader, *, contact: bool = False) -> dict:
    """A card as the reader may see it: the signer's details on file only where the customer is
    on file for the reader (a mobile typed on the portal discloses nothing), the full mobile only
    with ``contact`` and the right (audited)."""
    customer = None
    if c.customer_id:
        seen = (
            contact_for(reader, c.customer, context=f"api:card:{c.pk}")
            if contact
            else shown(reader, c.customer)
        )
        customer = {
            "id": c.customer_id,
            "name": seen["name"],
            "honorific": seen["honorific"],
            "phone": seen["phone"] or "",
        }
    return {
        "id": c.id,
        "store": c.store.code,
        "category": c.category,
        "text": c.text,
        "anonymous": c.customer_id is None,
        "customer": customer,
        "created_at": c.created_at,
        "handled_at": c.handled_at,
        "handling_note": c.handling_note,
        "ticket_id": c.ticket_id,
    }


def compensation_out(c) -> dict:
    return {
        "id": c.id,
        "ticket_id": c.ticket_id,
        "ticket_number": c.ticket.number,
        "store": c.store.code,
        "kind": c.kind,
        "purpose": c.purpose,
        "amount": c.amount,
        "gift": c.gift,
        "reason": c.reason,
        "status": c.status,
        "awaiting_tier": c.awaiting_tier,
        "requested_by": _name(c.requested_by),
        "requested_at": c.requested_at,
        "decided_by": _name(c.decided_by),
        "decided_at": c.decided_at,
        "decision_note": c.decision_note,
        "may_decide": getattr(c, "may_decide", None),
    }


def _needs(request, capability: str):
    if not can(request.auth, capability):
        raise Forbidden(_("Your role may not do this."))


# ---- the ticket's voice ------------------------------------------------------------------------


@router.get(
    "/tickets/{int:ticket_id}",
    response={200: TicketVoiceOut, **ERRORS},
    summary="Survey, follow-up calls and compensation of a ticket",
)
def ticket_voice(request, ticket_id: int):
    ticket = ticket_selectors.get_ticket(request.auth, ticket_id)
    voice = selectors.ticket_voice(request.auth, ticket)
    survey = voice["survey"]
    if survey is not None:
        survey.ticket, survey.store = ticket, ticket.store
    for item in voice["followups"]:
        item.ticket, item.store = ticket, ticket.store
    for item in voice["compensations"]:
        item.ticket, item.store = ticket, ticket.store
    return {
        "survey": survey_out(survey) if survey else None,
        "followups": [followup_out(f) for f in voice["followups"]],
        "compensations": [compensation_out(c) for c in voice["compensations"]],
        "my_limit": voice["my_limit"],
    }


@router.post(
    "/tickets/{int:ticket_id}/compensations",
    response={201: CompensationOut, **ERRORS},
    summary="Offer compensation or a goodwill gesture",
)
def request_compensation(request, ticket_id: int, payload: CompensationIn):
    """Within your own limit it is approved at once; above it, it waits for the rung whose limit covers it."""
    ticket = ticket_selectors.get_ticket(request.auth, ticket_id)
    item = services.request_compensation(
        actor=request.auth,
        ticket=ticket,
        kind=payload.kind,
        purpose=payload.purpose,
        amount=payload.amount,
        gift=payload.gift,
        reason=payload.reason,
    )
    return WithStatus(201, compensation_out(selectors.get_compensation(request.auth, item.pk)))


# ---- surveys -----------------------------------------------------------------------------------


@router.get(
    "/surveys",
    response={200: SurveyPage, **ERRORS},
    summary="Answered surveys in your scope, newest first",
)
def list_surveys(
    request,
    store: str | None = _store_param(),
    low: bool = False,
    limit: int = Query(25, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
):
    threshold = FeedbackSettings.current().low_score_threshold
    items = selectors.answered_surveys(request.auth, store=store, low_only=low, threshold=threshold)
    items = items.prefetch_related("answers__question")[offset : offset + limit]
    return {"items": [survey_out(s) for s in items], "limit": limit, "offset": offset}


@router.get(
    "/surveys/summary", response={200: list[dict], **ERRORS}, summary="Satisfaction by store"
)
def survey_summary(request, since: date | None = None, until: date | None = None):
    _needs(request, "feedback.reports")
    since, until = _dates(since, until)
    conf = FeedbackSettings.current()
    rows = selectors.csat_by_store(
        request.auth, since=since, until=until, threshold=conf.low_score_threshold
    )
    return [
        {
            "store": r["store__code"],
            "name": r["store__name"],
            "answered": r["answered"],
            "average": round(r["average"], 2) if r["average"] is not None else None,
            "low": r["low"],
        }
        for r in rows
    ]


def _dates(since, until):

    today = timezone.localdate()
    return selectors.clamp_period(since or today.replace(day=1), until or today)


# ---- follow-up calls ---------------------------------------------------------------------------


@router.get(
    "/followups", response={200: FollowUpPage, **ERRORS}, summary="Follow-up calls in your scope"
)
def list_followups(
    request,
    view: Literal["open", "overdue", "mine", "done"] = "open",
    store: str | None = _store_param(),
    limit: int = Query(25, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
):
    """open: still to make, soonest due first; overdue: past their due date (managers); mine:
    assigned to you; done: recorded, newest first."""
    _needs(request, "feedback.followups.manage" if view == "overdue" else "feedback.followups")
    items = selectors.followup_list(request.auth, view=view, store=store)[offset : offset + limit]
    return {"items": [followup_out(f) for f in items], "limit": limit, "offset": offset}


@router.get(
    "/followups/{int:followup_id}",
    response={200: FollowUpDetailOut, **ERRORS},
    summary="A call with its script",
)
def get_followup(request, followup_id: int):

    _needs(request, "feedback.followups")
    followup = selectors.get_followup(request.auth, followup_id)
    customer = followup.ticket.customer
    contact = reveal_contact(request.auth, customer, context=f"api:followup:{followup.pk}")
    seen = shown(request.auth, customer)  # the name on file only where it is disclosed
    return {
        **followup_out(followup),
        "script": services.call_script(followup, request.auth),
        "customer": {
            "id": customer.id,
            "name": seen["name"],
            "honorific": seen["honorific"],
            "phone": contact["phone"],
            "consent_contact": customer.consent_contact,
        },
    }


@router.post(
    "/followups/{int:followup_id}/calls",
    response={200: FollowUpOut, **ERRORS},
    summary="Record how a call went",
)
def record_call(request, followup_id: int, payload: CallIn):
    """not_reached keeps the call open until the attempts run out; unsatisfied (note required)
    reopens the ticket to the store manager with another call to make."""
    services.record_call(
        actor=request.auth, followup_id=followup_id, outcome=payload.outcome, note=payload.note
    )
    return followup_out(selectors.get_followup(request.auth, followup_id))


# ---- feedback cards ----------------------------------------------------------------------------


@router.get(
    "/cards",
    response={200: CardPage, **ERRORS},
    summary="Feedback cards (store managers and above)",
)
def list_cards(
    request,
    view: Literal["new", "handled", "all"] = "new",
    store: str | None = _store_param(),
    category: CategoryT | None = None,
    limit: int = Query(25, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
):
    _needs(request, "feedback.cards")
    items = selectors.card_list(request.auth, view=view, store=store, category=category)[
        offset : offset + limit
    ]
    return {"items": [card_out(c, request.auth) for c in items], "limit": limit, "offset": offset}


@router.get("/cards/{int:card_id}", response={200: CardOut, **ERRORS}, summary="A feedback card")
def get_card(request, card_id: int):

    card = selectors.get_card(request.auth, card_id)
    return card_out(card, request.auth, contact=True)


@router.post(
    "/cards/{int:card_id}/handle",
    response={200: CardOut, **ERRORS},
    summary="Note what was done about a card",
)
def handle_card(request, card_id: int, payload: NoteIn):
    services.handle_card(actor=request.auth, card_id=card_id, note=payload.note)
    return card_out(selectors.get_card(request.auth, card_id), request.auth)


@router.post(
    "/cards/{int:card_id}/ticket",
    response={201: dict, **ERRORS},
    summary="Open a ticket from a signed card",
)
def card_ticket(request, card_id: int):
    ticket = services.card_to_ticket(actor=request.auth, card_id=card_id)
    return WithStatus(201, {"ticket_id": ticket.id, "number": ticket.number})


# ---- compensation ------------------------------------------------------------------------------


@router.get(
    "/compensations",
    response={200: CompensationPage, **ERRORS},
    summary="Compensation in your scope",
)
def list_compensations(
    request,
    status: CompStatusT | None = None,
    store: str | None = _store_param(),
    decidable: bool = Query(False, description="only requests you may approve or reject"),
    limit: int = Query(25, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
):
    _needs(request, "feedback.compensation.request")
    items = (
        selectors.decidable_by(request.auth)
        if decidable
        else selectors.compensation_list(request.auth, status=status, store=store)
    )
    return {
        "items": [compensation_out(c) for c in items[offset : offset + limit]],
        "limit": limit,
        "offset": offset,
    }


@router.get(
    "/compensations/summary",
    response={200: list[dict], **ERRORS},
    summary="Approved compensation per store",
)
def compensation_summary(request, since: date | None = None, until: date | None = None):
    """Per store in your scope: approved amounts decided in the period (default: this month so far),
    for losses and as goodwill, and how many requests wait for a decision."""
    _needs(request, "feedback.reports")
    since, until = _dates(since, until)
    rows = selectors.compensation_summary(request.auth, since=since, until=until)
    return [
        {
            "store": r["store__code"],
            "name": r["store__name"],
            "total": str(r["total"]),
            "loss": str(r["loss"]),
            "goodwill": str(r["goodwill"]),
            "approved": r["approved"],
            "pending": r["pending"],
        }
        for r in rows
    ]


@router.post(
    "/compensations/{int:compensation_id}/approve",
    response={200: CompensationOut, **ERRORS},
    summary="Approve a request",
)
def approve(request, compensation_id: int, payload: NoteIn):
    services.approve_compensation(
        actor=request.auth, compensation_id=compensation_id, note=payload.note
    )
    return compensation_out(selectors.get_compensation(request.auth, compensation_id))


@router.post(
    "/compensations/{int:compensation_id}/reject",
    response={200: CompensationOut, **ERRORS},
    summary="Reject a request",
)
def reject(request, compensation_id: int, payload: RejectIn):
    services.reject_compensation(
        actor=request.auth, compensation_id=compensation_id, reason=payload.reason
    )
    return compensation_out(selectors.get_compensation(request.auth, compensation_id))
