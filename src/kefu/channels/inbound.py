"""Inbound e-mail: one raw RFC 822 message (from the IMAP poller or a mail gateway's POST)
becomes a customer message on its ticket, or a new ticket, or nothing (an auto-reply, a loop,
a duplicate). Threading: the ticket number in the subject, or In-Reply-To / References naming
one of our messages — and the sender must be the ticket's customer. A new sender becomes a
customer by e-mail only: an exact match on the address, never a guess by name."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import nh3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from kefu.customers.models import Customer
from kefu.errors import InvalidInput
from kefu.org.models import Store
from kefu.tickets import services as ticket_services
from kefu.tickets.models import Channel, Status, Ticket, TicketType

from .models import Delivery, InboundMail

log = logging.getLogger("kefu.channels")


# The bound of a raw message (KEFU_INBOUND_MAIL_MAX_BYTES, 30 MB by default).
def max_message_bytes() -> int:
    return settings.KEFU_INBOUND_MAIL_MAX_BYTES


MAX_RECIPIENTS = 50
MAX_ATTACHMENTS = 10
NUMBER = re.compile(r"\bKF-\d{8}-\d{6}\b", re.I)
MSGID = re.compile(r"<[^<>\s]{1,250}>")
# Where the quoted history or the signature starts (the customer's new words are above).
CUT_MARKERS = re.compile(
    r"^(?:-- ?$|_{5,}|-{3,}\s*(?:Original Message|原始邮件|回复的原邮件)\s*-{3,}|"
    r"On .{1,200} wrote:$|在 .{1,200}写道[:：]$|.{0,80}于.{1,80}写道[:：]$|"
    r"(?:From|发件人)[:：].{1,200}$|发自我的(?:iPhone|手机))",
    re.M,
)


class Outcome:
    NEW_TICKET = "new_ticket"
    THREADED = "threaded"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"


def parse(raw: bytes) -> EmailMessage:
    """The message, or InvalidInput: too large, not MIME, no sender, a mail bomb."""
    if not raw or len(raw) > max_message_bytes():
        raise InvalidInput(
            _("The message is empty or larger than %(mb)s MB."),
            mb=max_message_bytes() // (1024 * 1024),
        )
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        sender = parseaddr(str(message.get("From", "")))[1]
        recipients = getaddresses(
            [str(v) for h in ("To", "Cc") for v in (message.get_all(h) or [])]
        )
    except Exception:  # noqa: BLE001 — any parser failure is malformed input
        raise InvalidInput(_("This is not a valid e-mail message."), field="message") from None
    if "@" not in sender or not message.get("Message-ID") and not message.get("Date"):
        raise InvalidInput(_("This is not a valid e-mail message."), field="message")
    if len(recipients) > MAX_RECIPIENTS:
        raise InvalidInput(
            _("A message to more than %(n)s recipients is refused."), n=MAX_RECIPIENTS
        )
    return message


def is_automatic(message: EmailMessage) -> bool:
    """Auto-replies, bounces, lists and our own mail: never answered (RFC 3834 and the headers
    Exchange and list servers set)."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return True
    if str(message.get("Precedence", "")).strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return True
    if message.get("X-Auto-Response-Suppress") or message.get("X-Autoreply"):
        return True
    if message.get("X-Autorespond") or message.get("List-Id"):
        return True
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    local = sender.partition("@")[0]
    if local in {"mailer-daemon", "postmaster", "noreply", "no-reply"}:
        return True
    own = (settings.KEFU_SUPPORT_EMAIL or "").lower()
    return bool(own) and sender == own


def html_to_text(html: str) -> str:
    """Sanitise with nh3 (no tags kept), then turn block ends into line breaks."""
    html = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", html)
    text = nh3.clean(html, tags=set())
    import html as html_lib

    return html_lib.unescape(text)


def new_words(text: str) -> str:
    """The customer's new words: quoted lines (>) and everything from the quote header or the
    signature marker on are dropped."""
    match = CUT_MARKERS.search(text)
    if match and match.start() > 0:
        text = text[: match.start()]
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(lines).strip()


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        content = part.get_payload(decode=True).decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    # No field accepts NUL (PostgreSQL refuses it): the request-wide NUL check skips this path.
    return new_words(content.replace("\r\n", "\n").replace("\x00", ""))


def attachments_of(message: EmailMessage) -> list[tuple[str, bytes]]:
    files = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        if data:
            name = (part.get_filename() or "attachment")[:100]
            if len(data) > settings.KEFU_ATTACHMENT_MAX_BYTES:
                raise InvalidInput(
                    _("The attachment %(name)s is larger than %(mb)s MB."),
                    name=name,
                    mb=settings.KEFU_ATTACHMENT_MAX_BYTES // (1024 * 1024),
                )
            files.append((name, data))
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(_("At most %(n)s attachments per message."), n=MAX_ATTACHMENTS)
    return files


def thread_of(message: EmailMessage, sender: str) -> Ticket | None:
    """The open ticket this mail answers, or None. The sender must be the ticket's customer:
    knowing a ticket number is not enough to write on it."""
    candidates = []
    ids = MSGID.findall(" ".join(str(message.get(h, "")) for h in ("In-Reply-To", "References")))
    if ids:
        candidates += list(
            Delivery.objects.filter(message_id__in=ids).values_list("ticket_id", flat=True)
        )
        candidates += list(
            InboundMail.objects.filter(message_id__in=ids, ticket__isnull=False).values_list(
                "ticket_id", flat=True
            )
        )
    numbers = [n.upper() for n in NUMBER.findall(str(message.get("Subject", "")))]
    query = Ticket.objects.select_related("customer").filter(customer__email__iexact=sender)
    ticket = query.filter(pk__in=candidates).order_by("-pk").first() if candidates else None
    if ticket is None and numbers:
        ticket = query.filter(number__in=numbers).first()
    if ticket is None or ticket.status == Status.CLOSED:
        return None
    return ticket


def _customer_for(sender: str, display: str) -> Customer:
    matches = list(Customer.objects.filter(email__iexact=sender)[:2])
    if len(matches) == 1:
        return matches[0]
    # None or several with this address: a new customer, never merged by a guess.
    name = (display or sender.partition("@")[0])[:40]
    return Customer.objects.create(name=name, email=sender, phone=None)


def default_store() -> Store:
    stores = Store.objects.filter(is_active=True).order_by("code")
    store = (
        stores.filter(code=settings.KEFU_EMAIL_STORE).first() if settings.KEFU_EMAIL_STORE else None
    )
    store = store or stores.first()
    if store is None:
        raise InvalidInput(_("No store is set up to receive e-mail."))
    return store


def take_in(raw: bytes) -> tuple[str, Ticket | None]:
    """Take in one raw message: (outcome, ticket). Bad input raises InvalidInput and changes
    nothing; the same Message-ID twice is taken once."""
    message = parse(raw)
    display, sender = parseaddr(str(message.get("From", "")))
    sender = sender.lower()
    message_id = (MSGID.findall(str(message.get("Message-ID", ""))) or [""])[0]
    if not message_id:
        import hashlib

        message_id = "<sha256." + hashlib.sha256(raw).hexdigest() + "@kefu>"
    if InboundMail.objects.filter(message_id=message_id).exists():
        return Outcome.DUPLICATE, None
    if is_automatic(message):
        try:
            InboundMail.objects.create(message_id=message_id, outcome=Outcome.IGNORED)
        except IntegrityError:
            pass
        log.info("inbound mail ignored (automatic)")
        return Outcome.IGNORED, None
    text = body_of(message)
    files = attachments_of(message)
    subject = re.sub(
        r"^(?:\s*(?:re|fw|fwd|回复|转发)\s*[:：])+",
        "",
        str(message.get("Subject", "")).replace("\x00", ""),
        flags=re.I,
    )
    with transaction.atomic():
        ticket = thread_of(message, sender)
        if ticket is not None:
            ticket_services.add_customer_message(
                ticket=ticket, body=text or subject or "（无正文）"
            )
            outcome = Outcome.THREADED
        else:
            customer = _customer_for(sender, display)
            ticket, _created = ticket_services.open_ticket(
                actor=None,
                type=TicketType.CONSULTATION,
                channel=Channel.EMAIL,
                subject=(subject.strip() or text[:30] or "邮件咨询")[:100],
                description=text,
                store=default_store(),
                customer=customer,
            )
            outcome = Outcome.NEW_TICKET
        for name, data in files:
            ticket_services.add_attachment(actor=None, ticket=ticket, name=name, data=data)
        InboundMail.objects.create(message_id=message_id, ticket=ticket, outcome=outcome)
    log.info("inbound mail %s: ticket %s", outcome, ticket.number)
    return outcome, ticket
