"""The channels API: inbound mail from a mail gateway, and a ticket's delivery log.

- POST /api/v1/channels/email/inbound — the raw RFC 822 message as the body
  (Content-Type: message/rfc822) → 202 {ticket_id, number, outcome}; ticket_id is null for an
  ignored auto-reply.
- GET /api/v1/tickets/{id}/deliveries — the outbound messages of a ticket, addresses masked.
"""

from datetime import datetime

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja import Status as WithStatus

from kefu.api.schema import ERRORS
from kefu.errors import Forbidden, InvalidInput
from kefu.org.selectors import can

from . import hotline, inbound, selectors

router = Router()
API_PREFIX = ""
API_TAGS = ["channels"]


class InboundOut(Schema):
    ticket_id: int | None
    number: str | None
    outcome: str


class DeliveryOut(Schema):
    id: int
    channel: str
    to: str
    template: str
    status: str
    attempts: int
    backend: str
    provider_id: str
    error: str
    created_at: datetime
    sent_at: datetime | None
    not_before: datetime | None


@router.post(
    "/channels/email/inbound",
    response={202: InboundOut, **ERRORS},
    summary="Take in one e-mail (raw RFC 822 body, Content-Type: message/rfc822)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def email_inbound(request):
    if not can(request.auth, "channels.inbound"):
        raise Forbidden(_("You may not post inbound mail."))
    content_type = request.content_type or ""
    if content_type not in ("message/rfc822", "application/octet-stream", "text/plain"):
        raise InvalidInput(_("Send the raw message with Content-Type: message/rfc822."))
    # Read the stream ourselves (request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE with a 400);
    # one byte over the limit is enough to refuse it with a clear 422.
    raw = request.read(inbound.max_message_bytes() + 1)
    outcome, ticket = inbound.take_in(raw)
    return WithStatus(
        202,
        {
            "ticket_id": ticket.pk if ticket else None,
            "number": ticket.number if ticket else None,
            "outcome": outcome,
        },
    )


@router.get(
    "/tickets/{ticket_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="The delivery log of a ticket's messages to the customer",
)
def ticket_deliveries(request, ticket_id: int):
    return [
        {
            "id": d.pk,
            "channel": d.channel,
            "to": d.to_masked,
            "template": d.template,
            "status": d.status,
            "attempts": d.attempts,
            "backend": d.backend,
            "provider_id": d.provider_id,
            "error": d.error,
            "created_at": d.created_at,
            "sent_at": d.sent_at,
            "not_before": d.not_before,
        }
        for d in selectors.deliveries_for(request.auth, ticket_id)
    ]


class CallOut(Schema):
    ticket_id: int | None
    outcome: str


@router.post(
    "/channels/hotline/events",
    auth=None,
    response={202: CallOut, **ERRORS},
    summary="A call event from the call-centre system (HMAC-SHA256 signed, KEFU_HOTLINE_SECRET)",
    description="Headers X-Kefu-Timestamp (Unix seconds) and X-Kefu-Signature (hex HMAC-SHA256 "
    'of "<timestamp>." + body).',
    openapi_extra={
        "parameters": [
            {
                "name": "X-Kefu-Timestamp",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            },
            {
                "name": "X-Kefu-Signature",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            },
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["call_id", "event", "caller"],
                        "properties": {
                            "call_id": {"type": "string", "maxLength": 100},
                            "event": {"type": "string", "enum": sorted(hotline.EVENTS)},
                            "caller": {"type": "string", "maxLength": 20},
                            "agent": {"type": "string", "maxLength": 150},
                            "store": {"type": "string", "maxLength": 20},
                            "duration": {"type": "integer", "minimum": 0},
                        },
                    }
                }
            },
        },
    },
)
def hotline_events(request):
    body = request.read(16 * 1024 + 1)
    if len(body) > 16 * 1024:
        raise InvalidInput(_("The call event is too large."))
    hotline.verify(
        body,
        request.headers.get("X-Kefu-Timestamp", ""),
        request.headers.get("X-Kefu-Signature", ""),
    )
    outcome, ticket = hotline.handle(hotline.parse(body))
    return WithStatus(202, {"ticket_id": ticket.pk if ticket else None, "outcome": outcome})
