"""Service-quality endpoints (/api/v1/quality/...)."""

from typing import Literal

from ninja import Field, Router, Schema
from pydantic import ConfigDict

from kefu.customers.selectors import get_customer
from kefu.tickets.api import ERRORS
from kefu.tickets.selectors import get_ticket

from . import selectors

API_PREFIX = "/quality"
API_TAGS = ["quality"]
router = Router()


class CheckIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=20000)
    customer_id: int | None = Field(None, description="address this customer (surname, honorific); must be in your scope")
    ticket_id: int | None = Field(None, description="a reply on this ticket: its customer, and the complaint hints for a complaint")


class FindingOut(Schema):
    code: str
    severity: Literal["block", "warn", "hint"]
    span: list[int] = Field(description="[start, end) character offsets into text; [0, 0] for a reply-level finding")
    text: str
    explanation: str
    suggestion: str | None


class CheckOut(Schema):
    findings: list[FindingOut]
    blocked: bool = Field(description="true when a reply with this text would be refused (a `block` finding)")


@router.post("/check", response={200: CheckOut, **ERRORS}, summary="Check a reply's service language")
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
        from kefu.tickets.models import TicketType

        context = selectors.context_for(customer, is_complaint=ticket is not None and ticket.type == TicketType.COMPLAINT)
        findings = selectors.checker().check(payload.text, context)
    return {"findings": [f.to_dict() for f in findings], "blocked": any(f.severity == "block" for f in findings)}
