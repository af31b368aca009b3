"""Ticket endpoints. Handlers parse, call a service or selector, and shape the answer."""

import hashlib
import json
from datetime import datetime
from typing import Literal

from django.db import transaction
from django.http import FileResponse, HttpResponse
from ninja import Field, File, Query, Router, Schema
from ninja import Status as WithStatus
from ninja.files import UploadedFile

from kefu.api.schema import ERRORS, Error, Strict, expected_version
from kefu.customers.selectors import contact_for
from kefu.customers.services import find_or_create_customer
from kefu.errors import NotFound
from kefu.org.roles import Tier
from kefu.org.selectors import staff_of, store_for

from . import selectors, services
from .models import Attachment, Channel, Priority, Status, TicketType

router = Router()

TicketTypeT = Literal[tuple(TicketType.values)]  # type: ignore[valid-type]
ChannelT = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
StatusT = Literal[tuple(Status.values)]  # type: ignore[valid-type]
PriorityT = Literal[tuple(Priority.values)]  # type: ignore[valid-type]
TierT = Literal[tuple(Tier.values)]  # type: ignore[valid-type]


class CustomerIn(Strict):
    name: str = Field(max_length=50)
    phone: str = Field(max_length=30)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=200)
    gender: Literal["male", "female", "unknown"] | None = None


class TicketIn(Strict):
    type: TicketTypeT
    channel: ChannelT
    subject: str = Field(max_length=200)
    description: str = Field("", max_length=20000)
    store: str = Field(max_length=20, description="the store's code, e.g. SH001")
    priority: PriorityT = "normal"
    customer: CustomerIn
    purchase_id: int | None = None
    tags: list[str] = Field(default_factory=list, max_length=20)


class CustomerOut(Schema):
    id: int
    name: str
    phone: str
    honorific: str


class TicketOut(Schema):
    id: int
    number: str
    type: str
    channel: str
    status: str
    priority: str
    escalation_tier: str
    store: str
    assignee: str | None
    customer: CustomerOut
    purchase_id: int | None
    subject: str
    description: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    version: int
    sla: dict | None = None


class EventOut(Schema):
    id: int
    kind: str
    public: bool
    actor: str | None
    body: str
    data: dict
    attachments: list[dict]
    created_at: datetime
    warnings: list[dict] = Field(
        default_factory=list,
        description="findings that did not block (e.g. service-language hints)",
    )


class TicketDetailOut(TicketOut):
    timeline: list[EventOut] = Field(
        description="the newest 200 events, oldest first (all of them for most tickets)"
    )
    timeline_older: int = Field(0, description="how many older events `timeline` leaves out")
    timeline_next: str | None = Field(
        None, description="where the older events are (GET …/timeline?before=…), if any"
    )


class TimelinePage(Schema):
    items: list[EventOut] = Field(description="oldest first")
    older: int = Field(description="how many older events there are beyond these")
    next: str | None = Field(description="the page before this one, if any")


class TicketList(Schema):
    items: list[TicketOut]
    count: int
    count_capped: bool
    limit: int
    offset: int


class ReplyIn(Strict):
    body: str = Field("", max_length=20000)
    public: bool = True
    version: int | None = None
    override: bool = Field(
        False, description="send despite a blocking finding, where policy allows it"
    )
    macro_id: int | None = Field(
        None,
        description="apply a macro: its text (placeholders filled) when body is blank, and its "
        "actions (status, tags, assignee) once the reply is written",
    )


class AssignIn(Strict):
    assignee: str | None = Field(None, max_length=150)
    version: int | None = None


class StatusIn(Strict):
    status: StatusT
    note: str | None = Field(None, max_length=2000)
    version: int | None = None


class EscalateIn(Strict):
    reason: str = Field(max_length=2000)
    version: int | None = None


class TicketPatch(Strict):
    priority: PriorityT | None = None
    type: TicketTypeT | None = None
    tags: list[str] | None = Field(None, max_length=20)
    purchase_id: int | None = Field(
        None, description="one of the customer's purchases; null unlinks the ticket from it"
    )
    version: int | None = None


# Other apps add keys to the ticket JSON: name → function(ticket) -> JSON-able value.
TICKET_EXTRAS: dict = {}

# The app that owns canned replies registers "prepare": function(actor, ticket, macro_id, body)
# -> (body to send, after(event)), which applies the macro's actions once the reply is written.
REPLY_MACROS: dict = {}


def ticket_out(ticket, *, full_contact: bool = False, reader=None, untagged=False) -> dict:
    """The ticket's JSON for ``reader`` (default: whoever opened it, who reads the answer to
    their own POST). The customer's name on file and full mobile show only where the customer is
    on file for the reader (kefu.customers.selectors.contact_for); a mobile number typed at
    another store links the ticket but discloses nothing. ``untagged``: the caller knows the
    ticket has no tags (it was just opened without any), so they are not read."""
    customer = ticket.customer
    reader = reader if reader is not None else ticket.created_by
    if full_contact:
        shown = contact_for(reader, customer, context=f"api:ticket:{ticket.id}")
    else:
        shown = selectors.customer_shown(reader, ticket)
    extras = {name: extra(ticket) for name, extra in TICKET_EXTRAS.items()}
    return {
        **extras,
        "id": ticket.id,
        "number": ticket.number,
        "type": ticket.type,
        "channel": ticket.channel,
        "status": ticket.status,
        "priority": ticket.priority,
        "escalation_tier": ticket.escalation_tier,
        "store": ticket.store.code,
        "assignee": ticket.assignee.username if ticket.assignee_id else None,
        "customer": {
            "id": customer.id,
            "name": shown["name"],
            "honorific": shown["honorific"],
            "phone": shown["phone"],
        },
        "purchase_id": ticket.purchase_id,
        "subject": ticket.subject,
        "description": ticket.description,
        "tags": [] if untagged else [t.name for t in ticket.tags.all()],
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "version": ticket.version,
    }


def event_out(event) -> dict:
    actor = None
    if event.actor_id:
        staff = staff_of(event.actor)
        actor = staff.display_name if staff else event.actor.get_username()
    return {
        "id": event.id,
        "kind": event.kind,
        "public": event.public,
        "actor": actor,
        "body": event.body,
        "data": event.data,
        "created_at": event.created_at,
        "warnings": getattr(event, "warnings", []),
        "attachments": [
            {
                "id": a.id,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "url": f"/api/v1/tickets/attachments/{a.id}",
            }
            for a in event.attachments.all()
        ],
    }


# A ticket's answer carries this many of its newest events; a long conversation (a WeChat
# thread, a customer calling every day) pages the rest through /tickets/{id}/timeline.
DETAIL_EVENTS = 200


def timeline_out(ticket, *, before: int | None = None, size: int | None = None) -> dict:
    """``size`` of the ticket's events older than ``before`` (default: its newest
    DETAIL_EVENTS), oldest first, with how many older ones remain and where they are."""
    events, older = selectors.timeline_page(ticket, before=before, size=size or DETAIL_EVENTS)
    nxt = f"/api/v1/tickets/{ticket.pk}/timeline?before={events[-1].pk}" if older else None
    return {"items": [event_out(e) for e in reversed(events)], "older": older, "next": nxt}


def detail(request, ticket_id) -> dict:
    ticket = selectors.get_ticket(request.auth, ticket_id)
    timeline = timeline_out(ticket)
    return {
        **ticket_out(ticket, full_contact=True, reader=request.auth),
        "timeline": timeline["items"],
        "timeline_older": timeline["older"],
        "timeline_next": timeline["next"],
    }


@router.post("", response={201: TicketOut, 200: TicketOut, **ERRORS}, summary="Open a ticket")
def create_ticket(request, payload: TicketIn):
    """Opens a ticket; the customer is matched by mobile number or created. A retried request with
    the same `Idempotency-Key` header answers the first ticket (200) instead of creating another;
    the same key with a different body answers 422."""
    store = store_for(request.auth, payload.store)
    c = payload.customer
    content = json.dumps(payload.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    request_hash = hashlib.sha256(content.encode()).hexdigest()
    with transaction.atomic():
        customer = find_or_create_customer(
            actor=request.auth,
            name=c.name,
            phone=c.phone,
            email=c.email or "",
            address=c.address or "",
            gender=c.gender,
            store=store,
        )
        ticket, created = services.open_ticket(
            actor=request.auth,
            type=payload.type,
            channel=payload.channel,
            subject=payload.subject,
            description=payload.description,
            store=store or payload.store,
            priority=payload.priority,
            customer=customer,
            purchase_id=payload.purchase_id,
            tags=payload.tags,
            idempotency_key=request.headers.get("Idempotency-Key"),
            request_hash=request_hash,
        )
        if not created:  # an idempotent replay: answer the first ticket as it is now
            ticket = selectors.get_ticket(request.auth, ticket.pk)
        # The answer is read inside the transaction: a failure while shaping it rolls the ticket
        # back, so a client that retries after an error never finds a duplicate.
        answer = ticket_out(
            ticket,
            full_contact=True,
            reader=request.auth,
            untagged=created and not any(t.strip() for t in payload.tags),
        )
    return WithStatus(201 if created else 200, answer)


@router.get("", response={200: TicketList, **ERRORS}, summary="List tickets in your scope")
def list_tickets(
    request,
    status: list[StatusT] = Query(None),
    type: TicketTypeT | None = None,
    store: str | None = Query(None, max_length=20),
    assignee: str | None = Query(
        None, max_length=150, description="a username, or `none` for unassigned"
    ),
    escalation_tier: TierT | None = None,
    q: str | None = Query(None, max_length=100),
    sort: Literal["newest", "oldest", "priority", "due"] = "newest",
    limit: int = Query(25, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
):
    tickets = selectors.ticket_queue(
        request.auth,
        status=status or (),
        type=type,
        store=store,
        assignee=assignee,
        escalation_tier=escalation_tier,
        q=q,
        sort=sort,
    )
    page = selectors.with_customer_disclosure(
        request.auth, selectors.Listing(tickets)[offset : offset + limit]
    )
    count, capped = selectors.capped_count(tickets)
    return {
        "items": [ticket_out(t, reader=request.auth) for t in page],
        "count": count,
        "count_capped": capped,
        "limit": limit,
        "offset": offset,
    }


@router.get(
    "/{int:ticket_id}",
    response={200: TicketDetailOut, **ERRORS},
    summary="A ticket with its timeline",
)
def get_ticket(request, ticket_id: int, response: HttpResponse):
    body = detail(request, ticket_id)
    response["ETag"] = f'"{body["version"]}"'
    return body


@router.get(
    "/{int:ticket_id}/timeline",
    response={200: TimelinePage, **ERRORS},
    summary="A ticket's timeline in pages, newest page first",
)
def get_timeline(
    request,
    ticket_id: int,
    before: int | None = Query(None, description="events older than this event id"),
    limit: int = Query(50, ge=1, le=DETAIL_EVENTS),
):
    return timeline_out(selectors.get_ticket(request.auth, ticket_id), before=before, size=limit)


@router.patch(
    "/{int:ticket_id}",
    response={200: TicketDetailOut, **ERRORS},
    summary="Change priority, type, tags or the linked purchase",
)
def patch_ticket(request, ticket_id: int, payload: TicketPatch):
    ticket = selectors.get_ticket(request.auth, ticket_id)
    version = expected_version(request, payload.version)
    given = payload.model_fields_set
    with transaction.atomic():
        if "purchase_id" in given:
            services.link_purchase(
                actor=request.auth,
                ticket=ticket,
                purchase_id=payload.purchase_id,
                expected_version=version,
            )
            version = None  # the lock is held: the rest applies to this same ticket
        if given & {"priority", "type", "tags"} or "purchase_id" not in given:
            services.update_details(
                actor=request.auth,
                ticket=ticket,
                expected_version=version,
                priority=payload.priority,
                type=payload.type,
                tags=payload.tags,
            )
    return detail(request, ticket_id)


@router.post(
    "/{int:ticket_id}/replies",
    response={201: EventOut, **ERRORS},
    summary="Reply to the customer or add an internal note",
)
def reply(request, ticket_id: int, payload: ReplyIn):
    ticket = selectors.get_ticket(request.auth, ticket_id)
    with transaction.atomic():
        body, after = payload.body, None
        if payload.macro_id is not None:
            if "prepare" not in REPLY_MACROS:
                raise NotFound()
            body, after = REPLY_MACROS["prepare"](request.auth, ticket, payload.macro_id, body)
        event = services.add_reply(
            actor=request.auth,
            ticket=ticket,
            body=body,
            public=payload.public,
            expected_version=expected_version(request, payload.version),
            override=payload.override,
        )
        if after is not None:
            after(event)
    return WithStatus(201, event_out(event))


@router.post(
    "/{int:ticket_id}/assign",
    response={200: TicketDetailOut, **ERRORS},
    summary="Assign to a colleague (null: back to the queue)",
)
def assign(request, ticket_id: int, payload: AssignIn):
    ticket = selectors.get_ticket(request.auth, ticket_id)
    services.assign(
        actor=request.auth,
        ticket=ticket,
        assignee=payload.assignee,
        expected_version=expected_version(request, payload.version),
    )
    return detail(request, ticket_id)


@router.post(
    "/{int:ticket_id}/status",
    response={200: TicketDetailOut, **ERRORS},
    summary="Change the status",
)
def change_status(request, ticket_id: int, payload: StatusIn):
    ticket = selectors.get_ticket(request.auth, ticket_id)
    services.change_status(
        actor=request.auth,
        ticket=ticket,
        status=payload.status,
        note=payload.note or "",
        expected_version=expected_version(request, payload.version),
    )
    return detail(request, ticket_id)


@router.post(
    "/{int:ticket_id}/escalate",
    response={200: TicketDetailOut, **ERRORS},
    summary="Escalate one rung up the ladder",
)
def escalate(request, ticket_id: int, payload: EscalateIn):
    ticket = selectors.get_ticket(request.auth, ticket_id)
    services.escalate(
        actor=request.auth,
        ticket=ticket,
        reason=payload.reason,
        expected_version=expected_version(request, payload.version),
    )
    return detail(request, ticket_id)


@router.post(
    "/{int:ticket_id}/attachments",
    response={201: dict, 413: Error, **ERRORS},
    summary="Attach a photo, PDF, audio or video file",
)
def upload(request, ticket_id: int, file: UploadedFile = File(...), public: bool = True):
    ticket = selectors.get_ticket(request.auth, ticket_id)
    attachment = services.add_attachment(
        actor=request.auth,
        ticket=ticket,
        name=file.name,
        data=services.read_upload(file),
        public=public,
    )
    return WithStatus(
        201,
        {
            "id": attachment.id,
            "name": attachment.original_name,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "url": f"/api/v1/tickets/attachments/{attachment.id}",
        },
    )


@router.get(
    "/attachments/{int:attachment_id}",
    response={**ERRORS},
    summary="Download an attachment",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, with the type sniffed when it was uploaded",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download(request, attachment_id: int):
    attachment = Attachment.objects.filter(
        pk=attachment_id, ticket__in=selectors.tickets_visible_to(request.auth).values("pk")
    ).first()
    if attachment is None:
        raise NotFound()
    return attachment_response(attachment)


def attachment_response(attachment):
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


class BulkIn(Strict):
    ids: list[int] = Field(max_length=services.BULK_MAX)
    action: Literal[tuple(services.BULK_ACTIONS)]  # type: ignore[valid-type]
    value: str | None = Field(
        None,
        max_length=150,
        description="assign: a username (null: back to the rung's queue); status: the new "
        "status; add_tag / remove_tag: the tag",
    )


class BulkRefusal(Schema):
    id: int
    number: str | None
    code: str
    detail: str


class BulkOut(Schema):
    done: list[int]
    refused: list[BulkRefusal]


@router.post(
    "/bulk",
    response={200: BulkOut, **ERRORS},
    summary="One action on many tickets (each ticket its own transaction; refusals listed)",
)
def bulk(request, payload: BulkIn):
    result = services.bulk_apply(
        actor=request.auth, ticket_ids=payload.ids, action=payload.action, value=payload.value
    )
    return {
        "done": [t.pk for t in result["done"]],
        "refused": [
            {"id": pk, "number": number, "code": exc.code, "detail": exc.text()}
            for pk, number, exc in result["refused"]
        ],
    }
