"""Writes of tickets. Each function is one transaction and leaves a timeline event."""

import hashlib

import filetype
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu import clean, rows, search
from kefu.customers.models import Customer, Purchase
from kefu.customers.selectors import purchases_of
from kefu.errors import Conflict, Forbidden, InvalidInput, KefuError, NotFound
from kefu.org.models import Store
from kefu.org.roles import LADDER, Tier, holds_rung, next_tier, tier_of
from kefu.org.selectors import can, staff_of, store_in_scope, stores_for

from . import checks, signals, workflow
from .models import (
    DONE_STATUSES,
    PRIORITY_RANK,
    Attachment,
    Channel,
    EventKind,
    IdempotencyKey,
    Priority,
    SavedView,
    Status,
    Tag,
    Ticket,
    TicketEvent,
    TicketType,
)
from .selectors import assigned_jobs, get_own_view, queue_filters, tickets_visible_to
from .timeline import lock_ticket, record_event, save_ticket

MAX_BODY = 20_000


def _require(actor, capability: str, ticket: Ticket | None = None):
    if not can(actor, capability):
        raise Forbidden(_("Your role may not do this on a ticket."))
    staff = staff_of(actor)
    # A technician sees the tickets of their service area (to take one), but changes only the
    # jobs given to them: another technician's or nobody's ticket is not theirs to answer.
    if ticket is not None and staff is not None and staff.scope == "area":
        if not Ticket.objects.filter(pk=ticket.pk).filter(assigned_jobs(actor, staff)).exists():
            raise Forbidden(_("Only tickets assigned to you (or with your visit) can be changed."))


def next_ticket_number(day) -> str:
    """KF-YYYYMMDD-NNNNNN: a per-day counter bumped atomically in the database.

    One UPDATE … RETURNING takes the row lock, so two requests never get the same number;
    a rolled-back ticket may leave a gap, which is fine."""
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                "UPDATE tickets_ticketcounter SET last = last + 1 WHERE day = %s RETURNING last",
                [day],
            )
            row = cursor.fetchone()
            if row:
                return f"KF-{day:%Y%m%d}-{row[0]:06d}"
            cursor.execute(
                "INSERT INTO tickets_ticketcounter (day, last) VALUES (%s, 0) ON CONFLICT (day) DO NOTHING",
                [day],
            )
    raise RuntimeError("ticket counter row could not be created")  # pragma: no cover


def _tags(names) -> list[Tag]:
    cleaned = sorted({n.strip()[:40] for n in names or () if n and n.strip()})
    if not cleaned:
        return []
    existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned)}
    for name in cleaned:
        if name not in existing:
            existing[name], _created = Tag.objects.get_or_create(name=name)
    return list(existing.values())


def open_ticket(
    *,
    actor,
    type: str,
    channel: str,
    subject: str,
    description: str = "",
    store: str | Store,
    customer: Customer,
    priority: str = Priority.NORMAL,
    purchase_id: int | None = None,
    tags=(),
    idempotency_key: str | None = None,
    request_hash: str = "",
    opened_at=None,
) -> tuple[Ticket, bool]:
    """Open a ticket (建单). Returns (ticket, created); with an idempotency key already used by
    this actor, the first ticket comes back and created is False — unless `request_hash` (of
    the request's content) differs from the first request's: that is refused, since answering
    the first ticket would hide that the second was never opened. `opened_at` backdates a
    contact recorded after the fact (an imported e-mail, a phone note typed up later)."""
    clean.choice(type, TicketType, "type")
    clean.choice(channel, Channel, "channel")
    clean.choice(priority, Priority, "priority")
    subject = clean.text(subject, "subject", max_length=200)
    description = clean.text(description, "description", required=False, max_length=MAX_BODY)
    if actor is not None:
        _require(actor, "tickets.create")
    # Staff file tickets for the stores in their scope; the portal (no actor) for any active store.
    if isinstance(store, Store):
        code = store.code
        store_obj = (
            store if (store.is_active if actor is None else store_in_scope(actor, store)) else None
        )
    else:
        code = store
        stores = stores_for(actor) if actor is not None else Store.objects.filter(is_active=True)
        store_obj = stores.filter(code=code).first()
    if store_obj is None:
        raise InvalidInput(
            _("%(field)s: unknown store “%(value)s”, or not one of yours."),
            field="store",
            value=str(code),
        )
    purchase = None
    if purchase_id is not None:
        purchase = Purchase.objects.filter(pk=purchase_id, customer=customer).first()
        if purchase is None:
            raise InvalidInput(
                _("%(field)s: no such purchase for this customer."), field="purchase_id"
            )
    key = (idempotency_key or "").strip()[:100] or None

    if key and actor is not None:
        previous = (
            IdempotencyKey.objects.filter(user=actor, key=key).select_related("ticket").first()
        )
        if previous:
            return _replay(previous, request_hash), False
    try:
        # A savepoint only where a parallel retry with the same key can make the insert fail and
        # the first ticket must then be read in the same (outer) transaction.
        with transaction.atomic(savepoint=key is not None):
            now = opened_at or timezone.now()
            staff = staff_of(actor)
            ticket = Ticket(
                number=next_ticket_number(timezone.localdate(now)),
                type=type,
                channel=channel,
                priority=priority,
                priority_rank=PRIORITY_RANK[priority],
                store=store_obj,
                region_id=store_obj.region_id,
                customer=customer,
                purchase=purchase,
                subject=subject,
                description=description,
                created_by=actor,
                escalation_tier=Tier.STORE_STAFF,
            )
            ticket.search_text = search.segment(ticket.number, subject, description, customer.name)
            rows.insert([ticket])  # Ticket has no save() of its own and no save signals
            if key and actor is not None:
                IdempotencyKey.objects.create(
                    user=actor, key=key, ticket=ticket, request_hash=request_hash
                )
            tag_objs = _tags(tags)
            if tag_objs:
                ticket.tags.set(tag_objs)
            created = record_event(
                ticket,
                EventKind.CREATED,
                actor,
                touch=False,
                channel=channel,
                type=type,
                by=staff.display_name if staff else customer.name,
            )
            if opened_at:
                Ticket.objects.filter(pk=ticket.pk).update(
                    created_at=opened_at, updated_at=opened_at
                )
                TicketEvent.objects.filter(pk=created.pk).update(created_at=opened_at)
                ticket.created_at = ticket.updated_at = opened_at
            signals.ticket_opened.send(sender=Ticket, ticket=ticket, actor=actor)
            return ticket, True
    except IntegrityError:
        if key and actor is not None:  # the same key raced in from a parallel retry
            previous = (
                IdempotencyKey.objects.filter(user=actor, key=key).select_related("ticket").first()
            )
            if previous:
                return _replay(previous, request_hash), False
        raise


def _replay(previous: IdempotencyKey, request_hash: str) -> Ticket:
    if previous.request_hash and request_hash and previous.request_hash != request_hash:
        raise InvalidInput(
            _(
                "%(field)s: this key was already used for a different request; "
                "send a new key for a new ticket."
            ),
            field="Idempotency-Key",
        )
    return previous.ticket


def _move_status(locked: Ticket, status: str, actor, *, body: str = "", **data) -> str:
    """Run the status checks, then move a locked ticket to ``status`` with its timeline event.
    The caller saves the ticket and announces ``status_changed``. Returns the previous status."""
    previous = locked.status
    checks.check_status(checks.StatusMove(locked, actor, previous, status))
    locked.status = status
    if status == Status.RESOLVED:
        locked.resolved_at = timezone.now()
    elif status == Status.OPEN:
        locked.resolved_at = None
    reopened = previous in DONE_STATUSES and status == Status.OPEN
    record_event(
        locked,
        EventKind.STATUS,
        actor,
        public=status in DONE_STATUSES or reopened,
        body=body,
        touch=False,
        previous=previous,
        status=status,
        reopened=reopened,
        **data,
    )
    return previous


def _status_changed(locked: Ticket, actor, previous: str) -> None:
    signals.status_changed.send(
        sender=Ticket, ticket=locked, actor=actor, previous=previous, status=locked.status
    )


@transaction.atomic
def add_reply(
    *,
    actor,
    ticket: Ticket,
    body: str,
    public: bool = True,
    expected_version: int | None = None,
    override: bool = False,
) -> TicketEvent:
    """A public reply to the customer (回复) or an internal note (备注).

    The reply checks (kefu.tickets.checks: the service-language checker) may refuse it or
    attach warnings; those come back on `event.warnings`. `override` asks to send despite a
    refusal where policy allows it."""
    _require(actor, "tickets.reply" if public else "tickets.note", ticket)
    body = clean.text(body, "body", max_length=MAX_BODY)
    locked = lock_ticket(ticket, expected_version)
    warnings = checks.check_reply(checks.ReplyAttempt(locked, actor, body, public, override))
    changed = []
    if public:
        if locked.first_response_at is None:
            locked.first_response_at = timezone.now()
            changed.append("first_response_at")
        if locked.status == Status.NEW:
            locked.status = Status.OPEN
            changed.append("status")
    kind = EventKind.REPLY if public else EventKind.NOTE
    event = record_event(locked, kind, actor, public=public, body=body, touch=False)
    event.warnings = warnings
    save_ticket(locked, *changed)
    ticket.version, ticket.status = locked.version, locked.status
    signals.reply_added.send(sender=Ticket, ticket=locked, event=event, actor=actor)
    return event


@transaction.atomic
def add_customer_message(*, ticket: Ticket, body: str) -> TicketEvent:
    """The customer answers through the tracking link. A ticket waiting for them, or resolved,
    opens again; a closed one takes no more messages (the customer opens a new ticket)."""
    body = clean.text(body, "body", max_length=5000)
    locked = lock_ticket(ticket)
    if locked.status == Status.CLOSED:
        raise Conflict(
            _("This ticket is closed. Please submit a new request and quote ticket %(number)s."),
            number=locked.number,
        )
    event = record_event(
        locked, EventKind.CUSTOMER_MESSAGE, None, public=True, body=body, touch=False
    )
    previous = None
    if locked.status in (Status.PENDING_CUSTOMER, Status.RESOLVED):
        previous = _move_status(locked, Status.OPEN, None, reason="customer_message")
    save_ticket(locked, "status", "resolved_at")
    signals.customer_messaged.send(sender=Ticket, ticket=locked, event=event)
    if previous:
        _status_changed(locked, None, previous)
    return event


@transaction.atomic
def change_status(
    *,
    actor,
    ticket: Ticket,
    status: str,
    note: str = "",
    expected_version: int | None = None,
    reason: str | None = None,
) -> Ticket:
    """Move a ticket along its workflow; a move the workflow does not allow is refused.

    ``actor`` None is the system (a reopen for an unhappy customer); ``reason`` then says why,
    in the event's data."""
    if actor is not None:
        _require(actor, "tickets.status", ticket)
    clean.choice(status, Status, "status")
    note = clean.text(note, "note", required=False, max_length=2000)
    locked = lock_ticket(ticket, expected_version)
    if locked.status == status:
        raise Conflict(_("The ticket is already “%(status)s”."), status=Status(status).label)
    if not workflow.allowed(locked.status, status):
        raise Conflict(
            _("A ticket that is “%(current)s” cannot become “%(target)s”."),
            current=Status(locked.status).label,
            target=Status(status).label,
        )
    previous = _move_status(
        locked, status, actor, body=note, **({"reason": reason} if reason else {})
    )
    save_ticket(locked, "status", "resolved_at")
    _status_changed(locked, actor, previous)
    return locked


def reopen(*, ticket: Ticket, reason: str, body: str = "", actor=None) -> Ticket:
    """Open a resolved or closed ticket again (the system's form: an unhappy survey or call)."""
    return change_status(actor=actor, ticket=ticket, status=Status.OPEN, note=body, reason=reason)


def _colleague(username: str):
    target = (
        get_user_model()
        .objects.filter(username=username, is_active=True)
        .select_related("staff")
        .first()
    )
    if target is None or staff_of(target) is None:
        raise InvalidInput(
            _("%(field)s: no active colleague called “%(value)s”."),
            field="assignee",
            value=username[:40],
        )
    return target


@transaction.atomic
def assign(
    *,
    actor,
    ticket: Ticket,
    assignee: str | None,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Ticket:
    """Give the ticket to a colleague who can see it (or to nobody: back to the rung's queue).

    ``actor`` None is the system (an unhappy customer's ticket back to the store manager): it
    needs no right, and an assignment that is already so is left alone instead of refused."""
    target = _colleague(assignee) if assignee else None
    if actor is not None and not (
        can(actor, "tickets.assign")
        or (can(actor, "tickets.assign_self") and (target is None or target.pk == actor.pk))
    ):
        raise Forbidden(_("Your role may only assign tickets to yourself."))
    locked = lock_ticket(ticket, expected_version)
    if target is not None and not tickets_visible_to(target).filter(pk=locked.pk).exists():
        raise InvalidInput(
            _("%(field)s: %(value)s cannot see tickets of this store."),
            field="assignee",
            value=assignee,
        )
    if (target.pk if target else None) == locked.assignee_id:
        if actor is None:
            return locked
        raise Conflict(_("The ticket is already assigned that way."))
    previous = locked.assignee.username if locked.assignee_id else None
    locked.assignee = target
    if locked.status == Status.NEW and target is not None:
        locked.status = Status.OPEN
    record_event(
        locked,
        EventKind.ASSIGNED,
        actor,
        touch=False,
        previous=previous,
        assignee=target.username if target else None,
        **({"reason": reason} if reason else {}),
    )
    save_ticket(locked, "assignee", "status")
    return locked


@transaction.atomic
def escalate(
    *,
    actor,
    ticket: Ticket,
    reason: str,
    expected_version: int | None = None,
    to_tier: str | None = None,
    automatic: bool = False,
    cause: str | None = None,
) -> Ticket:
    """Climb one rung of the ladder (store staff → store manager → regional manager → CS
    department), or straight to `to_tier` for special cases. The ticket goes to that rung's
    queue: its assignee is cleared and the history kept on the timeline.

    ``actor`` None is the system (the SLA sweep, special-case routing, an unhappy customer);
    ``cause`` is its machine-readable why, kept in the event's data."""
    if actor is not None:
        _require(actor, "tickets.escalate")
    reason = clean.text(reason, "reason", max_length=2000)
    locked = lock_ticket(ticket, expected_version)
    if locked.status in DONE_STATUSES:
        raise Conflict(_("A resolved or closed ticket is not escalated; reopen it first."))
    staff = staff_of(actor) if actor is not None else None
    if staff is not None and holds_rung(staff.role):
        # Escalation climbs from the rung the actor holds (升级路径): store staff hand a ticket
        # to the store manager, never past them; a ticket already above one's rung is not
        # one's to send further up (that rung decides on it).
        if LADDER.index(locked.escalation_tier) > LADDER.index(tier_of(staff.role)):
            raise Forbidden(
                _("This ticket is already above your rung; its current rung decides on it.")
            )
    target = to_tier or next_tier(locked.escalation_tier)
    if target is None:
        raise Conflict(
            _(
                "This ticket is already with the customer-service department, the top of the escalation ladder."
            )
        )
    if LADDER.index(target) <= LADDER.index(locked.escalation_tier):
        raise Conflict(_("This ticket is already at or above that rung."))
    previous = locked.escalation_tier
    locked.escalation_tier = target
    locked.assignee = None
    if locked.status == Status.NEW:
        locked.status = Status.OPEN
    record_event(
        locked,
        EventKind.ESCALATED,
        actor,
        body=reason,
        touch=False,
        previous=previous,
        tier=target,
        automatic=automatic,
        **({"reason": cause} if cause else {}),
    )
    save_ticket(locked, "escalation_tier", "assignee", "status")
    signals.escalated.send(
        sender=Ticket,
        ticket=locked,
        actor=actor,
        previous=previous,
        tier=target,
        automatic=automatic,
        reason=reason,
    )
    return locked


@transaction.atomic
def update_details(
    *,
    actor,
    ticket: Ticket,
    expected_version: int | None = None,
    priority: str | None = None,
    type: str | None = None,
    tags=None,
) -> Ticket:
    """Change priority, type or tags; the timeline records old and new values."""
    _require(actor, "tickets.status")
    locked = lock_ticket(ticket, expected_version)
    changes, fields = {}, []
    if priority is not None and priority != locked.priority:
        clean.choice(priority, Priority, "priority")
        changes["priority"] = [locked.priority, priority]
        locked.priority, locked.priority_rank = priority, PRIORITY_RANK[priority]
        fields += ["priority", "priority_rank"]
    if type is not None and type != locked.type:
        clean.choice(type, TicketType, "type")
        changes["type"] = [locked.type, type]
        locked.type = type
        fields.append("type")
    if tags is not None:
        before = sorted(locked.tags.values_list("name", flat=True))
        tag_objs = _tags(tags)
        after = sorted(t.name for t in tag_objs)
        if before != after:
            locked.tags.set(tag_objs)
            changes["tags"] = [before, after]
    if not changes:
        raise Conflict(_("Nothing to change."))
    record_event(locked, EventKind.UPDATED, actor, touch=False, changes=changes)
    save_ticket(locked, *fields)
    return locked


def _too_large() -> InvalidInput:
    return InvalidInput(
        _("%(field)s: the file is larger than %(max)s MB."),
        field="file",
        max=settings.KEFU_ATTACHMENT_MAX_BYTES // (1024 * 1024),
    )


def read_upload(upload) -> bytes:
    """An uploaded file's bytes, refused by its size before it is read into memory (the
    request's size is bounded earlier still, by kefu.web.middleware)."""
    if upload.size is not None and upload.size > settings.KEFU_ATTACHMENT_MAX_BYTES:
        raise _too_large()
    data = upload.read(settings.KEFU_ATTACHMENT_MAX_BYTES + 1)
    if len(data) > settings.KEFU_ATTACHMENT_MAX_BYTES:
        raise _too_large()
    return data


@transaction.atomic
def link_purchase(
    *, actor, ticket: Ticket, purchase_id: int | None, expected_version: int | None = None
) -> Ticket:
    """Say which of the customer's purchases the ticket is about (None: none of them). The 三包
    panel and the repair orders start from the linked purchase."""
    _require(actor, "tickets.status")
    locked = lock_ticket(ticket, expected_version)
    purchase = None
    if purchase_id is not None:
        # Only a purchase the reader may see (purchases are scoped by the store that sold them).
        purchase = purchases_of(actor, locked.customer).filter(pk=purchase_id).first()
        if purchase is None:
            raise InvalidInput(
                _("%(field)s: no such purchase for this customer."), field="purchase_id"
            )
    if (purchase.pk if purchase else None) == locked.purchase_id:
        raise Conflict(_("Nothing to change."))
    changes = {"purchase": [locked.purchase_id, purchase.pk if purchase else None]}
    locked.purchase = purchase
    record_event(
        locked,
        EventKind.UPDATED,
        actor,
        touch=False,
        changes=changes,
        purchase_model=purchase.model_name if purchase else "",
    )
    save_ticket(locked, "purchase")
    ticket.version, ticket.purchase_id = locked.version, locked.purchase_id
    return locked


def sniff_attachment(data: bytes, name: str) -> str:
    """The attachment's real type, from its bytes; refused unless it is an allowed one."""
    if len(data) > settings.KEFU_ATTACHMENT_MAX_BYTES:
        raise _too_large()
    if not data:
        raise InvalidInput(_("%(field)s: the file is empty."), field="file")
    kind = filetype.guess(data[:8192])
    mime = kind.mime if kind else None
    if mime not in settings.KEFU_ATTACHMENT_TYPES:
        raise InvalidInput(
            _("%(field)s: this kind of file is not accepted (photos, PDF, audio or video only)."),
            field="file",
        )
    return mime


def add_attachment(
    *, actor, ticket: Ticket, name: str, data: bytes, public: bool = True
) -> Attachment:
    """Attach a photo, PDF, audio or video file; its type is read from its content, not its name."""
    if actor is not None:
        _require(actor, "tickets.attach")
    mime = sniff_attachment(data, name)
    safe_name = "".join(c for c in (name or "file") if c not in '/\\\x00"<>')[-200:] or "file"
    with transaction.atomic():
        locked = lock_ticket(ticket)
        event = record_event(
            locked,
            EventKind.ATTACHMENT,
            actor,
            public=public,
            touch=False,
            name=safe_name,
            size=len(data),
            content_type=mime,
        )
        attachment = Attachment(
            ticket=locked,
            event=event,
            original_name=safe_name,
            content_type=mime,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
        )
        attachment.file.save(safe_name, ContentFile(data), save=False)
        attachment.save()
        save_ticket(locked)
    return attachment


@transaction.atomic
def change_tags(
    *, actor, ticket: Ticket, add=(), remove=(), expected_version: int | None = None
) -> Ticket:
    """Add and remove tags, leaving the others as they are (the queue's bulk tag action)."""
    _require(actor, "tickets.status", ticket)
    locked = lock_ticket(ticket, expected_version)
    before = sorted(locked.tags.values_list("name", flat=True))
    dropped = {n.strip() for n in remove or () if n and n.strip()}
    kept = [n for n in before if n not in dropped]
    tag_objs = _tags([*kept, *(add or ())])
    after = sorted(t.name for t in tag_objs)
    if before == after:
        raise Conflict(_("Nothing to change."))
    locked.tags.set(tag_objs)
    record_event(locked, EventKind.UPDATED, actor, touch=False, changes={"tags": [before, after]})
    save_ticket(locked)
    return locked


# ------------------------------------------------------------------ bulk actions on the queue
# Each ticket is its own transaction: one ticket the workflow refuses (already resolved, a repair
# order still open, a colleague who cannot see that store) does not undo the others, and the
# agent is told which tickets were refused and why. Tickets outside the actor's scope are
# reported as not found, like a single ticket would be.
BULK_ACTIONS = ("assign", "status", "add_tag", "remove_tag")
BULK_MAX = 100


def bulk_apply(*, actor, ticket_ids, action: str, value: str | None) -> dict:
    """Apply one action to many tickets, each through its own service call and transaction.

    Returns ``{"done": [ticket, …], "refused": [(ticket_id, number or None, KefuError), …]}``."""
    if action not in BULK_ACTIONS:
        raise InvalidInput(_("%(field)s: choose what to do with the tickets."), field="action")
    ids = list(dict.fromkeys(int(i) for i in ticket_ids if str(i).isdigit()))
    if not ids:
        raise InvalidInput(_("%(field)s: choose at least one ticket."), field="ids")
    if len(ids) > BULK_MAX:
        raise InvalidInput(
            _("%(field)s: at most %(max)s tickets at a time."), field="ids", max=BULK_MAX
        )
    value = (value or "").strip()
    if action == "status":
        clean.choice(value, Status, "status")
    elif action in ("add_tag", "remove_tag"):
        value = clean.text(value.replace("，", ",").strip(" ,"), "tag", max_length=40)
    elif action == "assign" and value:
        _colleague(value)  # an unknown colleague is refused once, not per ticket
    visible = {t.pk: t for t in tickets_visible_to(actor).filter(pk__in=ids)}
    done, refused = [], []
    for pk in ids:
        ticket = visible.get(pk)
        if ticket is None:
            refused.append((pk, None, NotFound()))
            continue
        try:
            if action == "assign":
                done.append(assign(actor=actor, ticket=ticket, assignee=value or None))
            elif action == "status":
                done.append(change_status(actor=actor, ticket=ticket, status=value))
            elif action == "add_tag":
                done.append(change_tags(actor=actor, ticket=ticket, add=[value]))
            else:
                done.append(change_tags(actor=actor, ticket=ticket, remove=[value]))
        except KefuError as exc:
            refused.append((pk, ticket.number, exc))
    return {"done": done, "refused": refused}


# ------------------------------------------------------------------ saved queue views
def _view_name(name: str) -> str:
    return clean.text(name, "name", max_length=40)


@transaction.atomic
def save_view(*, actor, name: str, filters: dict, shared: bool = False) -> SavedView:
    """Save the queue's filters under a name (the same name again replaces its filters)."""
    staff = staff_of(actor)
    if staff is None:
        raise Forbidden(_("Your role may not do this on a ticket."))
    name = _view_name(name)
    if shared and not can(actor, "tickets.views.share"):
        raise Forbidden(_("Only managers share a view with colleagues."))
    store = staff.store if staff.scope == "store" else None
    region = staff.region if staff.scope == "region" else None
    view, _created = SavedView.objects.update_or_create(
        owner=actor,
        name=name,
        defaults={
            "filters": queue_filters(filters),
            "shared": bool(shared),
            "store": store if shared else None,
            "region": region if shared else None,
        },
    )
    return view


@transaction.atomic
def rename_view(*, actor, view_id, name: str) -> SavedView:
    view = get_own_view(actor, view_id)
    name = _view_name(name)
    if name != view.name and SavedView.objects.filter(owner=actor, name=name).exists():
        raise Conflict(_("You already have a view called “%(name)s”."), name=name)
    view.name = name
    view.save(update_fields=["name", "updated_at"])
    return view


@transaction.atomic
def delete_view(*, actor, view_id) -> None:
    get_own_view(actor, view_id).delete()
