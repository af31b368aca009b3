"""Reads of notifications: always the reader's own."""

from django.db.models import QuerySet

from kefu import rows

from .models import Notification

BELL_CAP = 99


def notifications_for(user, *, unread_only: bool = False) -> QuerySet:
    mine = Notification.objects.filter(recipient=user).select_related("ticket")
    return mine.filter(read_at__isnull=True) if unread_only else mine


@rows.prepared
def _unread(user_id: int):
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).values_list(
        "pk", flat=True
    )[: BELL_CAP + 1]


def unread_count(user) -> int:
    """Unread notifications, counted at most to BELL_CAP + 1 (the bell shows "99+"): on every
    desk page, so by a statement compiled once per process."""
    if user is None or not user.is_authenticated:
        return 0
    return len(_unread(user.pk))
