"""Reads of notifications: always the reader's own."""

from django.db.models import QuerySet

from .models import Notification

BELL_CAP = 99


def notifications_for(user, *, unread_only: bool = False) -> QuerySet:
    rows = Notification.objects.filter(recipient=user).select_related("ticket")
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_count(user, cap: int = BELL_CAP) -> int:
    """Unread notifications, counted at most to ``cap`` + 1 (the bell shows "99+")."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True)[: cap + 1].count()
