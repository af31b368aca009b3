"""What tickets hold about a customer, for the customer's data rights (customers.datarights)."""

from kefu import search

from .models import Attachment, EventKind, Ticket, TicketEvent
from .timeline import lock_ticket, record_event, save_ticket

ERASED_TEXT = "已匿名"


def export(customer) -> list[dict]:
    tickets = (
        Ticket.objects.filter(customer=customer)
        .select_related("store")
        .prefetch_related("events__attachments", "tags")
        .order_by("id")
    )
    return [
        {
            "number": t.number,
            "type": t.type,
            "channel": t.channel,
            "status": t.status,
            "store": t.store.code,
            "subject": t.subject,
            "description": t.description,
            "tags": [tag.name for tag in t.tags.all()],
            "created_at": t.created_at.isoformat(),
            "resolved_at": t.resolved_at.isoformat() if t.resolved_at else None,
            "timeline": [
                {
                    "kind": e.kind,
                    "public": e.public,
                    "body": e.body,
                    "data": e.data,
                    "attachments": [a.original_name for a in e.attachments.all()],
                    "at": e.created_at.isoformat(),
                }
                for e in t.events.all()
            ],
        }
        for t in tickets
    ]


def erase(customer, actor, reason) -> dict:
    """Scrub the tickets' free text (subject, description, every timeline body, attachments)
    and re-index them; statuses, times, types, tiers and SLA dates stay for the statistics."""
    ids = list(Ticket.objects.filter(customer=customer).values_list("pk", flat=True))
    events = 0
    for pk in ids:
        locked = lock_ticket(Ticket(pk=pk))
        events += TicketEvent.objects.filter(ticket_id=pk).exclude(body="").update(body="")
        for attachment in Attachment.objects.filter(ticket_id=pk):
            attachment.file.delete(save=False)
            attachment.delete()
        locked.subject = ERASED_TEXT
        locked.description = ""
        locked.search_text = search.segment(locked.number)
        record_event(locked, EventKind.ERASED, actor, touch=False)
        save_ticket(locked, "subject", "description", "search_text")
    return {"tickets": len(ids), "timeline_texts": events}
