"""E-mail copies of notifications, sent by a Huey worker so no request waits on SMTP."""

import logging

from django.conf import settings
from django.core.mail import send_mail

from kefu.tasks import queued

from .models import Notification

log = logging.getLogger(__name__)


def notification_emails(ids: list[int]) -> int:
    """Mail each notification to its recipient's address (people without one are skipped)."""
    sent = 0
    rows = Notification.objects.filter(pk__in=ids).select_related("recipient", "ticket")
    for n in rows:
        address = n.recipient.email
        if not address:
            continue
        subject = (
            f"[Kefu] {n.ticket.number} {n.get_kind_display()}"
            if n.ticket_id
            else f"[Kefu] {n.get_kind_display()}"
        )
        send_mail(str(subject), n.text, getattr(settings, "DEFAULT_FROM_EMAIL", None), [address])
        sent += 1
    log.info("notification e-mails sent: %s", sent)
    return sent


send_notification_emails = queued(
    notification_emails, name="send_notification_emails", retries=3, retry_delay=60
)
