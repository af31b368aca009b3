"""Call events from the call-centre system (POST /api/v1/channels/hotline/events), signed with
HMAC-SHA256 over "<timestamp>.<body>" with KEFU_HOTLINE_SECRET (headers X-Kefu-Timestamp and
X-Kefu-Signature, hex; five minutes' tolerance against replays).

- ringing / answered with an agent: the caller pops up in that agent's desk (the bell), with
  their open ticket when there is one;
- ended: the call is written on the caller's open ticket, or opens one (channel hotline);
- missed: a callback task (a Call row listed as 待回拨 on the desk's call page) on an open ticket
  "未接来电，请回拨" (or a line on the caller's open one).
The caller is found by mobile number; an unknown number becomes a customer by that number."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.customers.models import Customer
from kefu.customers.names import mask_phone, normalise_mobile
from kefu.errors import Forbidden, InvalidInput
from kefu.notifications.models import NotificationKind
from kefu.notifications.services import notify
from kefu.org.models import Store
from kefu.tickets import services as ticket_services
from kefu.tickets.models import OPEN_STATUSES, Channel, Ticket, TicketType
from kefu.tickets.timeline import record_event

from .inbound import default_store
from .models import Call

EVENTS = {"ringing", "answered", "ended", "missed"}
TOLERANCE = 300


def verify(body: bytes, timestamp: str, signature: str, *, now: float | None = None) -> None:
    secret = settings.KEFU_HOTLINE_SECRET
    if not secret or not timestamp.isdigit():
        raise Forbidden(gettext_lazy("The call event's signature is missing or wrong."))
    if abs((now or time.time()) - int(timestamp)) > TOLERANCE:
        raise Forbidden(gettext_lazy("The call event's signature is missing or wrong."))
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    if not hmac.compare_digest(expected.hexdigest(), (signature or "").strip().lower()):
        raise Forbidden(gettext_lazy("The call event's signature is missing or wrong."))


def parse(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(gettext_lazy("The call event is not valid JSON.")) from None
    if not isinstance(data, dict) or data.get("event") not in EVENTS:
        raise InvalidInput(
            gettext_lazy("%(field)s: must be one of ringing, answered, ended, missed."),
            field="event",
        )
    call_id = str(data.get("call_id") or "")[:100]
    phone = normalise_mobile(str(data.get("caller") or ""))
    if not call_id or not phone:
        raise InvalidInput(gettext_lazy("%(field)s: this field is required."), field="caller")
    return {
        "call_id": call_id,
        "event": data["event"],
        "phone": phone,
        "agent": str(data.get("agent") or "")[:150],
        "store": str(data.get("store") or "")[:20],
        "duration": int(data.get("duration") or 0)
        if str(data.get("duration") or "0").isdigit()
        else 0,
    }


def _call_row(event: dict, customer, agent) -> Call:
    call, _created = Call.objects.get_or_create(
        call_id=event["call_id"],
        defaults={
            "phone": event["phone"],
            "phone_masked": mask_phone(event["phone"]),
            "customer": customer,
            "agent": agent,
            "status": event["event"],
        },
    )
    return call


def handle(event: dict) -> tuple[str, Ticket | None]:
    """One call event: (outcome, ticket). The same call_id and event twice is taken once. Each
    call is one Call row (the desk's call log); a missed one is a callback task until an agent
    logs the call back at /desk/channels/calls/."""
    if not cache.add(f"channels:call:{event['call_id']}:{event['event']}", 1, timeout=86400):
        return "duplicate", None
    phone = event["phone"]
    with transaction.atomic():
        customer = Customer.objects.filter(phone=phone).first()
        open_ticket = (
            Ticket.objects.filter(customer=customer, status__in=OPEN_STATUSES)
            .order_by("-created_at")
            .first()
            if customer
            else None
        )
        agent = (
            get_user_model().objects.filter(username=event["agent"], is_active=True).first()
            if event["agent"]
            else None
        )
        call = _call_row(event, customer, agent)
        if event["event"] in ("ringing", "answered"):
            Call.objects.filter(pk=call.pk).update(
                status=event["event"], agent=agent or call.agent, ticket=open_ticket
            )
            if agent is not None:
                who = customer.name if customer else _("new caller")
                # The pop: the bell links to the open ticket, or to the call page (来电登记).
                notify(
                    [agent.pk],
                    kind=NotificationKind.HOTLINE_CALL,
                    text=_("Incoming call: %(who)s (%(phone)s).")
                    % {"who": who, "phone": mask_phone(phone)},
                    ticket=open_ticket,
                )
            return "popped" if agent else "ignored", open_ticket
        if customer is None:
            customer = Customer.objects.create(name="来电顾客", phone=phone)
        missed = event["event"] == "missed"
        if open_ticket is not None:
            ticket = open_ticket
            outcome = "callback" if missed else "call_logged"
        else:
            store = (
                Store.objects.filter(code=event["store"], is_active=True).first() or default_store()
            )
            ticket, _created = ticket_services.open_ticket(
                actor=None,
                type=TicketType.CONSULTATION,
                channel=Channel.PHONE,
                subject="未接来电，请回拨" if missed else "来电咨询",
                description="",
                store=store,
                customer=customer,
            )
            outcome = "callback" if missed else "call_logged"
        record_event(
            ticket,
            "call",
            None,
            body=_("Missed call: please call back.") if missed else _("Call taken on the hotline."),
            call_id=event["call_id"],
            missed=missed,
            duration=event["duration"],
        )
        Call.objects.filter(pk=call.pk).update(
            status=event["event"],
            customer=customer,
            ticket=ticket,
            duration=event["duration"],
            agent=agent or call.agent,
        )
        return outcome, ticket
