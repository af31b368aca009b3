"""The ticket's kernel: the one way every app records a timeline event, locks a ticket, and
saves it. Every state change in Kefu is one transaction that locks the ticket, changes it, and
leaves a line on its timeline through these three functions.

- ``lock_ticket`` takes the ticket's row lock (``SELECT … FOR UPDATE OF`` the ticket row only,
  never the nullable side of a join) and refuses a write based on an old version (409, stale).
  Several tickets are locked in primary-key order, so two writers never deadlock.
- ``record_event`` writes one timeline line and moves the ticket's ``updated_at`` on.
- ``save_ticket`` writes changed fields and bumps ``version``: only a change to the ticket
  itself bumps it; an order, a checklist tick or a survey on the timeline does not make an
  agent's half-written reply stale.
"""

from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu import rows
from kefu.errors import StaleWrite

from . import signals
from .models import Ticket, TicketEvent

STALE_MESSAGE = _(
    "Someone else changed this ticket after you opened it (you saw version %(seen)s, it is "
    "now %(now)s). Reload the ticket to see their change, then try again."
)


def check_version(ticket: Ticket, expected_version: int | None) -> None:
    """StaleWrite when the caller saw another version of the ticket than the one locked."""
    if expected_version is not None and int(expected_version) != ticket.version:
        raise StaleWrite(STALE_MESSAGE, seen=expected_version, now=ticket.version)


def lock_ticket(
    ticket: Ticket | int, expected_version: int | None = None, *, related=("store",)
) -> Ticket:
    """The ticket's row, locked until the transaction ends, with ``related`` joined in."""
    pk = getattr(ticket, "pk", ticket)
    locked = Ticket.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)
    check_version(locked, expected_version)
    return locked


def lock_tickets(ids) -> list[Ticket]:
    """Several tickets' rows, locked in primary-key order (never a deadlock between writers)."""
    return list(Ticket.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))


def record_event(
    ticket: Ticket,
    kind: str,
    actor=None,
    /,
    *,
    public: bool = False,
    body: str = "",
    touch: bool = True,
    **data,
) -> TicketEvent:
    """One line on the ticket's timeline (``public`` lines show on the customer's tracking page).

    ``data`` is stored as the event's JSON and may carry its own "kind" (positional-only
    parameters). The ticket's ``updated_at`` moves on; ``touch=False`` skips that write when the
    caller saves the ticket in the same transaction anyway (``save_ticket`` moves it)."""
    event = TicketEvent(ticket=ticket, kind=kind, actor=actor, public=public, body=body, data=data)
    # Written by a statement made once per process, then announced as Model.save() would: every
    # state change passes here, and the ORM's compilation of the INSERT and the UPDATE cost more
    # than running them (issue 14).
    rows.insert([event])
    post_save.send(
        sender=TicketEvent,
        instance=event,
        created=True,
        update_fields=None,
        raw=False,
        using=event._state.db,
    )
    if touch:
        rows.update(Ticket, ticket.pk, updated_at=event.created_at)
        ticket.updated_at = event.created_at
    signals.events_recorded.send(sender=TicketEvent, ticket_ids={ticket.pk})
    return event


def record_events(events: list[TicketEvent], *, touch: bool = True) -> list[TicketEvent]:
    """Many timeline lines in one INSERT (sweeps and batch jobs: SLA warnings, 回访 calls), built
    as unsaved ``TicketEvent(ticket_id=…, kind=…, body=…, data=…)``. ``touch`` moves their
    tickets' ``updated_at`` on in one UPDATE; a sweep that updates its tickets anyway passes
    False."""
    created = TicketEvent.objects.bulk_create(events)
    if touch and created:
        Ticket.objects.filter(pk__in={e.ticket_id for e in created}).update(
            updated_at=timezone.now()
        )
    if created:
        signals.events_recorded.send(sender=TicketEvent, ticket_ids={e.ticket_id for e in created})
    return created


def save_ticket(ticket: Ticket, *fields: str) -> None:
    """Write ``fields`` of a locked ticket, bump its version and move ``updated_at`` on."""
    ticket.version += 1
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])
