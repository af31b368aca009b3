"""Service-quality endpoints (/api/v1/quality/...)."""

from typing import Literal

from django.utils.translation import get_language
from ninja import Field, Router, Schema
from ninja import Status as WithStatus

from kefu.api.schema import ERRORS, Strict, expected_version
from kefu.customers.selectors import get_customer
from kefu.tickets.api import EventOut, event_out
from kefu.tickets.models import TicketType
from kefu.tickets.selectors import get_ticket

from . import rules, selectors, services

API_PREFIX = "/quality"
API_TAGS = ["quality"]
router = Router()


class CheckIn(Strict):
    text: str = Field(max_length=20000)
    customer_id: int | None = Field(
        None, description="address this customer (surname, honorific); must be in your scope"
    )
    ticket_id: int | None = Field(
        None,
        description="a reply on this ticket: its customer, and the complaint hints for a complaint",
    )


class FindingOut(Schema):
    code: str
    severity: Literal["block", "warn", "hint"]
    span: list[int] = Field(
        description="[start, end) character offsets into text; [0, 0] for a reply-level finding"
    )
    text: str
    explanation: str
    suggestion: str | None


class CheckOut(Schema):
    findings: list[FindingOut]
    blocked: bool = Field(
        description="true when a reply with this text would be refused (a `block` finding)"
    )


@router.post(
    "/check", response={200: CheckOut, **ERRORS}, summary="Check a reply's service language"
)
def check(request, payload: CheckIn):
    """Runs the service-language checker (服务用语检查) with the admin's phrase overrides, as a
    public reply would be checked. A customer or ticket outside your scope answers 404."""
    ticket = customer = None
    if payload.ticket_id is not None:
        ticket = get_ticket(request.auth, payload.ticket_id)
    if payload.customer_id is not None:
        customer = get_customer(request.auth, payload.customer_id)
    if ticket is not None and customer is None:
        findings = selectors.check_reply(payload.text, ticket=ticket)
    else:
        context = selectors.context_for(
            customer, is_complaint=ticket is not None and ticket.type == TicketType.COMPLAINT
        )
        findings = selectors.checker().check(payload.text, context)
    return {
        "findings": [f.to_dict() for f in findings],
        "blocked": any(f.severity == "block" for f in findings),
    }


# ---------------------------------------------------------------- complaint guide

StepT = Literal[tuple(rules.STEP_CODES)]  # type: ignore[valid-type]


class RootCauseOut(Schema):
    code: str
    group: str
    label: str


class GuideOut(Schema):
    ticket_id: int
    steps: dict[str, dict] = Field(
        description="step code → {at, by}; a step not listed is not done yet"
    )
    root_cause: str | None
    root_cause_note: str
    summary_event_id: int | None


class StepIn(Strict):
    step: StepT
    done: bool = True


class RootCauseIn(Strict):
    root_cause: str = Field(max_length=40, description="a code from GET /quality/root-causes")
    note: str = Field("", max_length=500)


class SummaryIn(Strict):
    agreed: str = Field(max_length=2000, description="what was agreed with the customer")
    next_steps: str = Field(max_length=2000, description="what happens next")
    version: int | None = None
    override: bool = False


def _guide_out(ticket) -> dict:
    guide = selectors.guide_for(ticket)
    return {
        "ticket_id": ticket.pk,
        "steps": guide.steps,
        "root_cause": guide.root_cause or None,
        "root_cause_note": guide.root_cause_note,
        "summary_event_id": guide.summary_event_id,
    }


@router.get(
    "/root-causes",
    response={200: list[RootCauseOut], **ERRORS},
    summary="The complaint root-cause taxonomy",
)
def root_causes(request):
    """Why customers complain (seed 000) and the after-sales causes (seed 002), as codes."""
    lang = get_language()
    return [
        {"code": code, "group": cause["group"], "label": rules.text(cause, lang)}
        for code, cause in rules.root_causes().items()
    ]


@router.get(
    "/tickets/{int:ticket_id}/guide",
    response={200: GuideOut, **ERRORS},
    summary="A complaint's guide",
)
def guide(request, ticket_id: int):
    return _guide_out(get_ticket(request.auth, ticket_id))


@router.post(
    "/tickets/{int:ticket_id}/guide/steps",
    response={200: GuideOut, **ERRORS},
    summary="Tick a complaint step",
)
def tick(request, ticket_id: int, payload: StepIn):
    """Tick (or untick with done=false) one of the first five steps; the confirm step is done
    by sending the summary."""
    ticket = get_ticket(request.auth, ticket_id)
    services.tick_step(actor=request.auth, ticket=ticket, step=payload.step, done=payload.done)
    return _guide_out(ticket)


@router.post(
    "/tickets/{int:ticket_id}/guide/root-cause",
    response={200: GuideOut, **ERRORS},
    summary="Record a complaint's root cause",
)
def root_cause(request, ticket_id: int, payload: RootCauseIn):
    """Needed before a complaint can be resolved."""
    ticket = get_ticket(request.auth, ticket_id)
    services.set_root_cause(
        actor=request.auth, ticket=ticket, code=payload.root_cause, note=payload.note
    )
    return _guide_out(ticket)


@router.post(
    "/tickets/{int:ticket_id}/guide/summary",
    response={201: EventOut, **ERRORS},
    summary="Send the confirm summary",
)
def summary(request, ticket_id: int, payload: SummaryIn):
    """The confirm step: a reply restating what was agreed and what happens next, signed with
    your name and phone. Checked like any reply (422 with findings on a forbidden phrase)."""
    ticket = get_ticket(request.auth, ticket_id)
    event = services.send_summary(
        actor=request.auth,
        ticket=ticket,
        agreed=payload.agreed,
        next_steps=payload.next_steps,
        expected_version=expected_version(request, payload.version),
        override=payload.override,
    )
    return WithStatus(201, event_out(event))
