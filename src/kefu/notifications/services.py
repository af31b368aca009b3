"""Writes of notifications: create them (with an e-mail copy when mail is configured) and mark
them read."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Notification
from .tasks import send_notification_emails


def mail_enabled() -> bool:
    """E-mail copies go out only when an SMTP host is configured (EMAIL_HOST)."""
    return bool(getattr(settings, "EMAIL_HOST", ""))


def notify(
    recipient_ids: Iterable[int], *, kind: str, text: str, ticket=None, exclude: int | None = None
) -> int:
    """One notification per distinct recipient (``exclude``: the user who caused it)."""
    return notify_many([([i for i in recipient_ids if i != exclude], kind, text, ticket)])


def notify_many(items: Iterable[tuple[Iterable[int], str, str, object]]) -> int:
    """Many notifications in one INSERT: items are (recipient ids, kind, text, ticket); one per
    distinct recipient of each item. E-mail copies are queued after the surrounding transaction
    commits, so a rolled-back change never mails anyone. Returns how many were created."""
    rows = []
    for recipient_ids, kind, text, ticket in items:
        ticket_id = getattr(ticket, "pk", ticket)
        rows += [
            Notification(recipient_id=i, ticket_id=ticket_id, kind=kind, text=text[:500])
            for i in sorted({int(i) for i in recipient_ids if i is not None})
        ]
    if not rows:
        return 0
    created = Notification.objects.bulk_create(rows)
    if mail_enabled():
        ids = [n.pk for n in created if n.pk is not None]
        if ids:
            transaction.on_commit(lambda: send_notification_emails(ids))
    return len(rows)


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None); returns how
    many changed. Other people's notifications are never touched."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
