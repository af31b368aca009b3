"""The outbound pipeline: a customer-facing timeline event becomes one message (a Delivery row,
queued after the change commits), sent by a Huey task on the channel chosen for that customer,
retried with backoff, and each outcome written to the ticket's timeline. Also the lost-link
recovery (a one-time code by SMS)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu import rows as db_rows
from kefu.aftersales.models import FieldVisit
from kefu.customers.names import mask_email, mask_phone, normalise_mobile
from kefu.feedback.models import Survey
from kefu.tasks import queued
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.timeline import record_event

from . import backends, optout, rules
from .models import CustomerChannel, Delivery, DeliveryStatus, Medium

log = logging.getLogger("kefu.channels")

DELIVERY_EVENT = "delivery"
STATUS_WORDS = {
    DeliveryStatus.SENT: "sent",
    DeliveryStatus.RETRYING: "retrying",
    DeliveryStatus.FAILED: "failed",
}


def public_url(path: str) -> str:
    return (settings.KEFU_PUBLIC_URL or "http://127.0.0.1:8000").rstrip("/") + path


def tracking_link(ticket: Ticket) -> str:
    return public_url(reverse("portal:track", kwargs={"token": ticket.tracking_token}))


def contact_of(customer) -> rules.Contact:
    """What is on file for the customer: mobile, e-mail, WeChat openid, opt-outs, consent."""
    rows = {
        row.channel: row
        for row in db_rows.many(CustomerChannel, "m.customer_id = %s", [customer.pk])
    }
    wechat = rows.get(Medium.WECHAT)
    return rules.Contact(
        sms=customer.phone or "",
        email=customer.email or "",
        wechat=wechat.address if wechat else "",
        opted_out=frozenset(c for c, row in rows.items() if row.opted_out),
        consent_contact=customer.consent_contact,
    )


def mask(channel: str, address: str) -> str:
    if channel == Medium.SMS:
        return mask_phone(address)
    if channel == Medium.EMAIL:
        return mask_email(address)
    return address[:4] + "****" if address else ""


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def message_params(ticket: Ticket, event: TicketEvent | None, template: str, consent: bool):
    """The placeholders of a template, from the ticket and the event that caused it."""
    data = event.data if event else {}
    params = {"number": ticket.number, "subject": ticket.subject, "link": tracking_link(ticket)}
    if template == "public_reply":
        params["text"] = event.body[:500]
    elif template == "timetable":
        params["when"] = _local(ticket.solution_promised_at) or data.get("promised_at", "")
        params["note"] = event.body if event and "promised_at" in data else ""
    elif template in ("visit_booked", "visit_on_the_way", "visit_done"):
        visit = FieldVisit.objects.select_related("technician").filter(pk=data.get("visit")).first()
        if visit is not None:
            params["date"] = visit.date.isoformat()
            params["window"] = visit.get_window_display()
            params["technician"] = visit.technician.display_name
    elif template == "resolved":
        survey = Survey.objects.filter(ticket=ticket, answered_at__isnull=True).first()
        if survey is not None and consent:
            link = public_url(reverse("portal:survey", kwargs={"token": survey.token}))
            params["survey"] = rules.load_templates()["survey_line"].format(survey_link=link)
    elif template == "followup_scheduled":
        params["date"] = data.get("due_on", "")
    if params.get("survey") or template == "followup_scheduled":
        # A message that asks for the customer's time carries the way to stop it (退订).
        params["optout"] = rules.load_templates()["optout_line"].format(
            optout_link=optout.link_for(ticket)
        )
    return params


def _last_customer_mail(ticket: Ticket) -> str:
    from .models import InboundMail

    row = InboundMail.objects.filter(ticket=ticket).order_by("-id").first()
    return row.message_id if row else ""


def queue_message(ticket: Ticket, event: TicketEvent | None, rule: dict) -> Delivery | None:
    """One Delivery for a customer-facing moment, on the channel chosen for the customer, held
    back by quiet hours; its send task is queued after commit. None when no channel fits.
    The message is composed first and only its row written in a transaction of its own: on
    SQLite a writer holds the database for the whole transaction (issue 14)."""
    customer = ticket.customer
    contact = contact_of(customer)
    channel = rules.choose_channel(contact, rule)
    if channel is None:
        return None
    template = rule["template"]
    params = message_params(ticket, event, template, contact.consent_contact)
    if channel == Medium.EMAIL:
        params["in_reply_to"] = _last_customer_mail(ticket)
    subject, body = rules.render(template, channel, params)
    now = timezone.now()
    later = rules.quiet_until(channel, timezone.localtime(now))
    address = getattr(contact, channel)
    delivery = Delivery(
        ticket=ticket,
        event=event,
        channel=channel,
        to=address,
        to_masked=mask(channel, address),
        template=template,
        subject=subject,
        body=body,
        params={k: v for k, v in params.items() if v},
        not_before=later,
    )
    with transaction.atomic():
        db_rows.insert([delivery])
        if channel == Medium.EMAIL:
            domain = (settings.KEFU_SUPPORT_EMAIL or "kefu@localhost").rpartition("@")[2]
            delivery.message_id = f"<{ticket.number}.{delivery.pk}@{domain}>"
            delivery.save(update_fields=["message_id"])
        delivery_id, eta = delivery.pk, later
        transaction.on_commit(lambda: schedule_send(delivery_id, eta), robust=True)
    log.info(
        "delivery %s queued: ticket %s %s %s → %s",
        delivery.pk,
        ticket.number,
        template,
        channel,
        delivery.to_masked,
    )
    return delivery


def schedule_send(delivery_id: int, eta=None) -> None:
    if eta is not None and eta > timezone.now():
        send_delivery_task.schedule(args=(delivery_id,), eta=eta)
    else:
        send_delivery_task(delivery_id)


def messages_for_event(event: TicketEvent | int) -> list[Delivery]:
    """After the change committed: the messages a timeline event sends its customer. Given the
    event as its writer recorded it (ticket and customer in memory) or its id."""
    if not isinstance(event, TicketEvent):
        event = TicketEvent.objects.select_related("ticket__customer").filter(pk=event).first()
    if event is None:
        return []
    rule = rules.template_for(event.kind, event.public, event.data or {})
    if rule is None:
        return []
    delivery = queue_message(event.ticket, event, rule)  # this runs after the change committed
    return [delivery] if delivery else []


def send_delivery(delivery_id: int) -> str:
    """Send one queued message. The row is locked while sending, so two consumers never send it
    twice; a refusal is retried with backoff (rules.v1.json) and every outcome lands on the
    ticket's timeline (internal). Returns the delivery's status."""
    with transaction.atomic():
        # Statements made once per process (the queryset's compilation was a third of the
        # consumer's work per message).
        delivery = db_rows.first(Delivery, "m.id = %s", [delivery_id], lock=True)
        if delivery is None or delivery.status not in (
            DeliveryStatus.QUEUED,
            DeliveryStatus.RETRYING,
        ):
            return delivery.status if delivery else "missing"
        if delivery.not_before and delivery.not_before > timezone.now():
            return delivery.status  # a sweep or the scheduled task will come back
        Delivery.ticket.field.set_cached_value(
            delivery, db_rows.first(Ticket, "m.id = %s", [delivery.ticket_id])
        )
        name, send = backends.backend_for(delivery.channel)
        delivery.attempts += 1
        delivery.backend = name
        delay = None
        try:
            delivery.provider_id = (send(delivery) or "")[:100]
            delivery.status, delivery.sent_at, delivery.error = (
                DeliveryStatus.SENT,
                timezone.now(),
                "",
            )
            delivery.not_before = None
        except backends.ProviderError as exc:
            delivery.error = exc.code[:300]
            delay = rules.retry_delay(delivery.attempts) if exc.retry else None
            if delay is None:
                delivery.status, delivery.not_before = DeliveryStatus.FAILED, None
            else:
                delivery.status = DeliveryStatus.RETRYING
                delivery.not_before = timezone.now() + dt.timedelta(seconds=delay)
        # What a send changes (the whole row with its body and params was a third of the
        # consumer's work per message).
        db_rows.update(
            Delivery,
            delivery.pk,
            **{
                name: getattr(delivery, name)
                for name in (
                    "attempts",
                    "backend",
                    "provider_id",
                    "status",
                    "sent_at",
                    "error",
                    "not_before",
                )
            },
        )
        _record_outcome(delivery)
        log.info(
            "delivery %s %s via %s (attempt %s)%s",
            delivery.pk,
            delivery.status,
            delivery.backend,
            delivery.attempts,
            f": {delivery.error}" if delivery.error else "",
        )
        if delay is not None:
            eta = delivery.not_before
            transaction.on_commit(lambda: schedule_send(delivery_id, eta), robust=True)
    return delivery.status


# The queued form of send_delivery, declared beside the service that queues it.
send_delivery_task = queued(send_delivery)


def _outcome_line(delivery: Delivery) -> str:
    labels = {
        DeliveryStatus.SENT: _("Sent %(channel)s to the customer (%(to)s): %(template)s."),
        DeliveryStatus.RETRYING: _(
            "%(channel)s to the customer (%(to)s) failed (%(error)s); trying again at %(at)s."
        ),
        DeliveryStatus.FAILED: _(
            "%(channel)s to the customer (%(to)s) failed (%(error)s); not trying again."
        ),
    }
    return labels[delivery.status] % {
        "channel": str(Medium(delivery.channel).label),
        "to": delivery.to_masked,
        "template": rules.load_templates()["labels"].get(delivery.template, delivery.template),
        "error": delivery.error,
        "at": _local(delivery.not_before),
    }


def _record_outcome(delivery: Delivery) -> None:
    # The timeline is the team's record: written in the site's language, whoever caused it.
    with translation.override(settings.LANGUAGE_CODE):
        body = _outcome_line(delivery)
    record_event(
        delivery.ticket,
        DELIVERY_EVENT,
        None,
        body=str(body),
        delivery=delivery.pk,
        channel=delivery.channel,
        to=delivery.to_masked,
        template=delivery.template,
        status=delivery.status,
        attempt=delivery.attempts,
        provider_id=delivery.provider_id,
        backend=delivery.backend,
    )


def send_due(limit: int = 200) -> int:
    """The safety net behind the queue: deliveries whose time has come (quiet hours over, retry
    due) but whose scheduled task was lost. Called every few minutes by tasks.py."""
    due = list(
        Delivery.objects.filter(
            status__in=(DeliveryStatus.QUEUED, DeliveryStatus.RETRYING),
            not_before__lte=timezone.now(),
        )
        .order_by("not_before")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        send_delivery(pk)
    return len(due)


# ---- lost tracking link: ticket number + mobile → one-time code by SMS ----------------------------

CODE_TTL = 600
CODES_PER_TICKET_PER_HOUR = 3
TRIES_PER_CODE = 5


def _code_key(ticket_id: int) -> str:
    return f"channels:link-code:{ticket_id}"


def _hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def _bump(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=timeout)
        return 1


def _ticket_for(number: str, mobile: str) -> Ticket | None:
    phone = normalise_mobile(mobile or "")
    number = (number or "").strip().upper()
    if not phone or not number or len(number) > 20:
        return None
    return (
        Ticket.objects.select_related("customer")
        .filter(number=number, customer__phone=phone)
        .first()
    )


def request_link_code(*, number: str, mobile: str) -> bool:
    """Send a one-time code to the ticket's mobile when number and mobile match. The caller
    answers the same either way (no one learns whether a number exists); at most three codes
    per ticket an hour. Returns whether a code went out."""
    ticket = _ticket_for(number, mobile)
    if ticket is None:
        return False
    if _bump(f"channels:link-code-count:{ticket.pk}", 3600) > CODES_PER_TICKET_PER_HOUR:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_code_key(ticket.pk), {"hash": _hash(code), "tries": 0}, timeout=CODE_TTL)
    _subject, body = rules.render("link_code", "sms", {"code": code, "number": ticket.number})
    # The code itself is never stored: the log shows it masked, the provider gets it once.
    delivery = Delivery.objects.create(
        ticket=ticket,
        channel=Medium.SMS,
        to=ticket.customer.phone,
        to_masked=mask_phone(ticket.customer.phone),
        template="link_code",
        body=body.replace(code, "******"),
        params={"number": ticket.number},
    )
    delivery.params = {"code": code, "number": ticket.number}
    delivery.body = body
    name, send = backends.backend_for(Medium.SMS)
    delivery.attempts, delivery.backend = 1, name
    try:
        delivery.provider_id = send(delivery) or ""
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, timezone.now()
    except backends.ProviderError as exc:
        delivery.status, delivery.error = DeliveryStatus.FAILED, exc.code
    Delivery.objects.filter(pk=delivery.pk).update(
        status=delivery.status,
        sent_at=delivery.sent_at,
        error=delivery.error,
        attempts=1,
        backend=name,
        provider_id=delivery.provider_id,
    )
    delivery.body = body.replace(code, "******")
    delivery.params = {"number": ticket.number}
    _record_outcome(delivery)
    return delivery.status == DeliveryStatus.SENT


def redeem_link_code(*, number: str, mobile: str, code: str) -> Ticket | None:
    """The ticket whose tracking link the customer gets back, or None: a wrong code counts
    against the code (five tries), and a used code is gone."""
    ticket = _ticket_for(number, mobile)
    if ticket is None:
        return None
    key = _code_key(ticket.pk)
    stored = cache.get(key)
    if not stored:
        return None
    if stored["tries"] >= TRIES_PER_CODE:
        cache.delete(key)
        return None
    if not hmac.compare_digest(stored["hash"], _hash((code or "").strip())):
        stored["tries"] += 1
        cache.set(key, stored, timeout=CODE_TTL)
        return None
    cache.delete(key)
    with translation.override(settings.LANGUAGE_CODE):
        body = _("Tracking link recovered by SMS code.")
    record_event(ticket, "tracking_link_recovered", None, body=body)
    return ticket
