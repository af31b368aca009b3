"""The WeChat Official Account server endpoint (plain-text mode, and encrypted mode with
KEFU_WECHAT_AES_KEY — see wxcrypt): the signature check of GET (the URL verification) and POST
(every message), and text / image messages becoming a new ticket
or a customer message on the customer's open one. A WeChat user is bound to a customer by
"绑定 <mobile>" and the one-time code sent to that mobile by SMS; until then the openid is a
customer of its own (never merged by a guess). Answers go back through the customer-service
message API (backends.wechat_send) like every other customer message."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import xml.etree.ElementTree as ET

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from kefu.customers.models import Customer
from kefu.customers.names import mask_phone, normalise_mobile
from kefu.errors import InvalidInput
from kefu.tasks import queued
from kefu.tickets import services as ticket_services
from kefu.tickets.models import OPEN_STATUSES, Channel, EventKind, Ticket, TicketType
from kefu.tickets.timeline import record_event

from . import backends, rules, wxcrypt
from .inbound import default_store
from .models import CustomerChannel, Delivery, Medium

log = logging.getLogger("kefu.channels")

MAX_XML = 64 * 1024
BIND = re.compile(r"^\s*绑定\s*([0-9 +\-]{11,20})\s*$")
CODE = re.compile(r"^\s*(\d{6})\s*$")


def signature_ok(params) -> bool:
    """sha1 of the sorted token, timestamp and nonce (WeChat's server-verification rule)."""
    token = settings.KEFU_WECHAT_TOKEN
    if not token:
        return False
    parts = sorted([token, params.get("timestamp", ""), params.get("nonce", "")])
    expected = hashlib.sha1("".join(parts).encode()).hexdigest()
    return hmac.compare_digest(expected, params.get("signature", ""))


def _fields(body: bytes) -> dict:
    if len(body) > MAX_XML or b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise InvalidInput("malformed message")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise InvalidInput("malformed message") from None
    return {child.tag: (child.text or "") for child in root}


def parse(body: bytes, params=None) -> dict:
    """The message's fields, or InvalidInput (too large, a DTD or entity, not XML, or in
    encrypted mode a wrong msg_signature, key or AppId). ``params`` is the query: with
    ``encrypt_type=aes`` the body is the encrypted envelope (安全模式, KEFU_WECHAT_AES_KEY)."""
    fields = _fields(body)
    if params is not None and params.get("encrypt_type") == "aes":
        encrypted = fields.get("Encrypt", "")
        if not settings.KEFU_WECHAT_AES_KEY or not encrypted:
            raise InvalidInput("malformed message")
        if not wxcrypt.signature_ok(
            settings.KEFU_WECHAT_TOKEN,
            params.get("timestamp", ""),
            params.get("nonce", ""),
            encrypted,
            params.get("msg_signature", ""),
        ):
            raise InvalidInput("bad msg_signature")
        try:
            inner = wxcrypt.decrypt(
                encrypted,
                encoding_aes_key=settings.KEFU_WECHAT_AES_KEY,
                appid=settings.KEFU_WECHAT_APPID,
            )
        except wxcrypt.CryptError:
            raise InvalidInput("malformed message") from None
        fields = _fields(inner)
    if not fields.get("FromUserName") or not fields.get("MsgType"):
        raise InvalidInput("malformed message")
    return fields


def _customer_for(openid: str) -> Customer:
    row = CustomerChannel.objects.filter(channel=Medium.WECHAT, address=openid).first()
    if row is not None:
        return row.customer
    customer = Customer.objects.create(name="微信用户", phone=None)
    CustomerChannel.objects.create(
        customer=customer, channel=Medium.WECHAT, address=openid, last_inbound_at=timezone.now()
    )
    return customer


def _bind_request(openid: str, mobile: str) -> str:
    phone = normalise_mobile(mobile)
    customer = Customer.objects.filter(phone=phone).first() if phone else None
    # Three codes an hour per WeChat user and per mobile: nobody turns this into an SMS cannon.
    if (
        customer is not None
        and _count(f"channels:wx-bind-count:{openid}") <= 3
        and _count(f"channels:wx-bind-phone:{phone}") <= 3
    ):
        code = f"{secrets.randbelow(10**6):06d}"
        cache.set(f"channels:wx-bind:{openid}", {"customer": customer.pk, "code": code}, 600)
        _subject, body = rules.render("link_code", "sms", {"code": code, "number": "—"})
        delivery = Delivery(
            channel=Medium.SMS, to=phone, to_masked=mask_phone(phone), template="link_code"
        )
        delivery.body, delivery.params = body, {"code": code, "number": "—"}
        delivery.pk = 0
        try:
            backends.backend_for(Medium.SMS)[1](delivery)
        except backends.ProviderError:
            log.warning("wechat binding code not sent")
    return "bind_requested"


def _count(key: str) -> int:
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key)
    except ValueError:
        return 1


def _bind_confirm(openid: str, code: str) -> str | None:
    pending = cache.get(f"channels:wx-bind:{openid}")
    if not pending:
        return None
    if not hmac.compare_digest(pending["code"], code):
        # Five wrong codes and the code is gone: a guesser has 5 in a million.
        pending["tries"] = pending.get("tries", 0) + 1
        if pending["tries"] >= 5:
            cache.delete(f"channels:wx-bind:{openid}")
        else:
            cache.set(f"channels:wx-bind:{openid}", pending, 600)
        return "bind_refused"
    cache.delete(f"channels:wx-bind:{openid}")
    with transaction.atomic():
        CustomerChannel.objects.filter(channel=Medium.WECHAT, address=openid).exclude(
            customer_id=pending["customer"]
        ).delete()
        CustomerChannel.objects.update_or_create(
            customer_id=pending["customer"],
            channel=Medium.WECHAT,
            defaults={"address": openid, "opted_out": False, "last_inbound_at": timezone.now()},
        )
    return "bound"


def take_in(fields: dict) -> tuple[str, Ticket | None]:
    """One message from a WeChat user: (outcome, ticket)."""
    openid = fields["FromUserName"][:100]
    kind = fields["MsgType"]
    msg_id = fields.get("MsgId") or f"{openid}:{fields.get('CreateTime', '')}"
    # WeChat retries a message three times when we are slow: take each MsgId once.
    if not cache.add(f"channels:wx-msg:{msg_id}", 1, timeout=3600):
        return "duplicate", None
    # Any message or event from the user opens WeChat's 48-hour customer-service window.
    CustomerChannel.objects.filter(channel=Medium.WECHAT, address=openid).update(
        last_inbound_at=timezone.now()
    )
    if kind == "text":
        text = (fields.get("Content") or "").strip()[:2000]
        if match := BIND.match(text):
            return _bind_request(openid, match.group(1)), None
        if (match := CODE.match(text)) and (outcome := _bind_confirm(openid, match.group(1))):
            return outcome, None
    elif kind == "image":
        text = "[图片]"
    else:
        return "ignored", None  # events (subscribe, menu clicks), voice, location: not tickets
    if not text:
        return "ignored", None
    with transaction.atomic():
        customer = _customer_for(openid)
        ticket = (
            Ticket.objects.filter(customer=customer, status__in=OPEN_STATUSES)
            .order_by("-created_at")
            .first()
        )
        media_id = (fields.get("MediaId") or "")[:128] if kind == "image" else ""
        if ticket is not None:
            ticket_services.add_customer_message(ticket=ticket, body=text)
            _fetch_picture_later(ticket, media_id)
            return "threaded", ticket
        ticket, _created = ticket_services.open_ticket(
            actor=None,
            type=TicketType.CONSULTATION,
            channel=Channel.SOCIAL,
            subject=text[:30],
            description=text,
            store=default_store(),
            customer=customer,
        )
        _fetch_picture_later(ticket, media_id)
    return "new_ticket", ticket


def _fetch_picture_later(ticket: Ticket, media_id: str) -> None:
    """WeChat must hear back within 5 seconds: the picture is fetched after the commit."""
    if media_id:
        ticket_id = ticket.pk
        transaction.on_commit(lambda: fetch_picture_task(ticket_id, media_id), robust=True)


def fetch_picture(ticket_id: int, media_id: str) -> str:
    """Keep the picture a customer sent on WeChat as the ticket's attachment (same limits and
    content sniffing as an upload). A picture WeChat no longer has is noted on the timeline."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return "missing"
    try:
        data = backends.wechat_media(media_id)
        ticket_services.add_attachment(
            actor=None, ticket=ticket, name=f"微信图片-{media_id[-12:]}.jpg", data=data
        )
    except (backends.ProviderError, InvalidInput) as exc:
        log.warning("wechat picture for ticket %s not kept: %s", ticket.number, exc)
        with transaction.atomic():
            record_event(
                ticket,
                EventKind.NOTE,
                None,
                body="顾客通过微信发送的图片未能取回，请联系顾客重新发送。",
                touch=False,
            )
        return "failed"
    return "kept"


# The queued form, declared beside the service.
fetch_picture_task = queued(fetch_picture)
