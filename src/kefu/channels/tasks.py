"""Periodic jobs of the channels: the safety-net send of due deliveries, and the IMAP poller."""

import imaplib
import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kefu.errors import KefuError

from . import inbound, services, webhooks

log = logging.getLogger("kefu.channels")


@db_periodic_task(crontab(minute="*/5"))
@lock_task("channels-send-due")
def send_due_deliveries():
    return {"messages": services.send_due(), "webhooks": webhooks.post_due()}


def poll_mailbox(*, host=None, port=None, user=None, password=None, ssl=None, folder=None) -> dict:
    """Fetch the unseen mail of the support mailbox, take each in, and mark it seen (a refused
    message too: it would be refused again). Returns counts per outcome."""
    host = host or settings.KEFU_IMAP_HOST
    if not host:
        return {}
    port = port or settings.KEFU_IMAP_PORT
    ssl = settings.KEFU_IMAP_SSL if ssl is None else ssl
    client = imaplib.IMAP4_SSL(host, port) if ssl else imaplib.IMAP4(host, port)
    counts: dict[str, int] = {}
    try:
        client.login(user or settings.KEFU_IMAP_USER, password or settings.KEFU_IMAP_PASSWORD)
        client.select(folder or settings.KEFU_IMAP_FOLDER)
        _status, found = client.uid("SEARCH", None, "UNSEEN")
        for uid in (found[0] or b"").split()[:200]:
            _status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
            try:
                outcome, _ticket = inbound.take_in(raw)
            except KefuError as exc:
                outcome = "refused"
                log.warning("inbound mail refused: %s", exc.code)
            counts[outcome] = counts.get(outcome, 0) + 1
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return counts


@db_periodic_task(crontab(minute="*"))
@lock_task("channels-imap-poll")
def poll_imap():
    return poll_mailbox()
