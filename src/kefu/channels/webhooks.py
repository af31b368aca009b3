"""Outgoing webhooks: ticket events to integrators. Each POST carries JSON without personal
data, headers X-Kefu-Event, X-Kefu-Delivery, X-Kefu-Timestamp and X-Kefu-Signature (hex
HMAC-SHA256 of "<timestamp>." + body with the webhook's secret). A non-2xx answer or a network
error is retried with backoff; after ``disable_after_failures`` failures in a row the webhook is
switched off and the administrators are told (the bell)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.notifications.models import NotificationKind
from kefu.notifications.services import notify
from kefu.org.roles import Role
from kefu.tasks import queued
from kefu.tickets.models import TicketEvent

from . import rules
from .models import DeliveryStatus, Webhook, WebhookDelivery

log = logging.getLogger("kefu.channels")


def payload_for(event_name: str, event: TicketEvent) -> dict:
    ticket = event.ticket
    return {
        "event": event_name,
        "at": event.created_at.isoformat(),
        "ticket": {
            "id": ticket.pk,
            "number": ticket.number,
            "status": ticket.status,
            "type": ticket.type,
            "channel": ticket.channel,
            "priority": ticket.priority,
            "store": ticket.store.code,
            "tier": ticket.escalation_tier,
        },
    }


def any_active_webhook() -> bool:
    """Whether any webhook is active: a statement written once (the queryset's compilation cost
    more than the lookup, on every new ticket)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {Webhook._meta.db_table} WHERE is_active LIMIT 1")
        return cursor.fetchone() is not None


def queue_for_event(event_id: int) -> list[WebhookDelivery]:
    """After commit: one delivery per active webhook subscribed to this event."""
    # Most installations have no active webhook: one small query then, not the event, its
    # ticket and store as well (issue 14: the write path of every ticket).
    if not any_active_webhook():
        return []
    active = list(Webhook.objects.filter(is_active=True))
    event = TicketEvent.objects.select_related("ticket__store").filter(pk=event_id).first()
    if event is None:
        return []
    name = rules.webhook_event_for(event.kind, event.public, event.data or {})
    if name is None:
        return []
    hooks = [h for h in active if not h.events or name in h.events]
    if not hooks:
        return []
    payload = payload_for(name, event)
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(webhook=h, ticket=event.ticket, event=name, payload=payload)
            for h in hooks
        ]
    )
    for row in rows:
        post_webhook_task(row.pk)
    return rows


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post_webhook(delivery_id: int) -> str:
    """POST one delivery (row locked, never twice); retry, or give up and count the failure."""
    with transaction.atomic():
        row = (
            WebhookDelivery.objects.select_for_update()
            .select_related("webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if row is None or row.status not in (DeliveryStatus.QUEUED, DeliveryStatus.RETRYING):
            return row.status if row else "missing"
        if not row.webhook.is_active:
            row.status = DeliveryStatus.SKIPPED
            row.save(update_fields=["status"])
            return row.status
        body = json.dumps(row.payload, ensure_ascii=False).encode("utf-8")
        timestamp = str(int(time.time()))
        row.attempts += 1
        import httpx

        try:
            answer = httpx.post(
                row.webhook.url,
                content=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "X-Kefu-Event": row.event,
                    "X-Kefu-Delivery": str(row.pk),
                    "X-Kefu-Timestamp": timestamp,
                    "X-Kefu-Signature": sign(row.webhook.secret, timestamp, body),
                },
                timeout=10.0,
            )
            row.response_code = answer.status_code
            ok = 200 <= answer.status_code < 300
            row.error = "" if ok else f"HTTP {answer.status_code}"
        except httpx.HTTPError as exc:
            ok, row.error = False, type(exc).__name__
        hook = row.webhook
        delay = None
        if ok:
            row.status, row.sent_at, row.not_before = DeliveryStatus.SENT, timezone.now(), None
            hook.consecutive_failures = 0
        else:
            hook.consecutive_failures += 1
            delay = rules.webhook_retry_delay(row.attempts)
            if delay is None:
                row.status, row.not_before = DeliveryStatus.FAILED, None
            else:
                row.status = DeliveryStatus.RETRYING
                row.not_before = timezone.now() + dt.timedelta(seconds=delay)
        row.save()
        limit = rules.load_rules()["webhooks"]["disable_after_failures"]
        if hook.consecutive_failures >= limit and hook.is_active:
            hook.is_active, hook.disabled_at = False, timezone.now()
            _tell_admins(hook)
        hook.save(update_fields=["consecutive_failures", "is_active", "disabled_at"])
        log.info("webhook %s delivery %s %s", hook.pk, row.pk, row.status)
        if delay is not None and hook.is_active:
            eta = row.not_before
            transaction.on_commit(
                lambda: post_webhook_task.schedule(args=(delivery_id,), eta=eta), robust=True
            )
    return row.status


post_webhook_task = queued(post_webhook)


def _tell_admins(hook: Webhook) -> None:
    admins = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(staff__role=Role.ADMIN), is_active=True
    )
    notify(
        list(admins.values_list("pk", flat=True)),
        kind=NotificationKind.WEBHOOK_DISABLED,
        text=_("Webhook “%(name)s” was switched off after %(n)s failed deliveries in a row.")
        % {"name": hook.name, "n": hook.consecutive_failures},
    )


def post_due(limit: int = 200) -> int:
    due = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.RETRYING, not_before__lte=timezone.now()
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        post_webhook(pk)
    return len(due)
