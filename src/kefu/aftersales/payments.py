"""Writes for money on a paid repair: a quote from the fee schedule shown to the customer before
the work, the customer's acceptance (on the visit record or the tracking page), and payment,
refund and depreciation records with method and receipt number. Money is a Decimal to the fen.

Nothing is charged inside the free 三包 period: the quote asks the 三包 engine about the
ticket's purchase, and a free decision makes the quote zero (its lines keep the cost, which the
manufacturer's warranty claim asks back)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu import clean
from kefu.errors import Conflict, Forbidden, InvalidInput
from kefu.org.selectors import can
from kefu.tickets.timeline import lock_ticket, record_event

from . import fees, selectors
from .models import FeeQuote, Part, Payment, PaymentKind, PaymentMethod, QuoteStatus

EVENT_KINDS = ("quote_proposed", "quote_accepted", "quote_declined", "payment_recorded")


def _require(actor) -> None:
    if not can(actor, "aftersales.payments"):
        raise Forbidden(_("You may not record fees or payments."))


def fee_error(exc: fees.FeeError) -> InvalidInput:
    """The fee core's refusal (in English, no Django) as a translated 422 naming the field."""
    if exc.field == "job":
        return InvalidInput(
            _("%(field)s: one of the fee schedule's job types: %(allowed)s."),
            field="job",
            allowed=", ".join(fees.schedule()["jobs"]),
        )
    return InvalidInput(_("%(field)s: a distance of 0–1000 km."), field=exc.field)


def part_lines(parts) -> list[fees.PartLine]:
    """[{"part": id or code, "quantity": n}] → priced lines at the catalogue price."""
    if not parts:
        return []
    if not isinstance(parts, list) or len(parts) > 50:
        raise InvalidInput(_("%(field)s: a list of parts (at most 50)."), field="parts")
    lines = []
    for item in parts:
        key = item.get("part") if isinstance(item, dict) else None
        quantity = item.get("quantity", 1) if isinstance(item, dict) else None
        if isinstance(key, int) and not isinstance(key, bool):
            part = Part.objects.filter(pk=key).first() if 0 < key < 2**31 else None
        else:
            part = Part.objects.filter(code=str(key)[:40]).first()
        if (
            part is None
            or not isinstance(quantity, int)
            or isinstance(quantity, bool)
            or not 1 <= quantity <= 999
        ):
            raise InvalidInput(
                _("%(field)s: each part needs a known part and a quantity 1–999."), field="parts"
            )
        lines.append(fees.PartLine(part.code, part.name, part.price, quantity))
    return lines


def is_free(ticket) -> bool:
    """The engine's word on the ticket's purchase: is a repair free (三包) today?"""
    purchase = selectors.purchase_for(ticket)
    if purchase is None:
        return False
    data = selectors.prefill_case(ticket, purchase)
    data["request_date"] = timezone.localdate().isoformat()
    try:
        _case, decision = selectors.decide(data)
    except InvalidInput:
        return False
    return bool(decision.free)


@transaction.atomic
def propose_quote(
    *, actor, ticket, job: str, distance_km: int = 0, parts=None, visit=None
) -> FeeQuote:
    """Compute the fee from the schedule and put the quote before the customer (报价)."""
    _require(actor)
    selectors.require_own_job(actor, ticket)
    locked = lock_ticket(ticket, related=("store", "customer"))
    purchase = selectors.purchase_for(locked)
    category = purchase.category.code if purchase else "default"
    try:
        quote = fees.quote(
            category, job, distance_km=distance_km, parts=part_lines(parts), free=is_free(locked)
        )
    except fees.FeeError as exc:
        raise fee_error(exc) from None
    row = FeeQuote.objects.create(
        ticket=locked,
        visit=visit,
        category=category,
        job=job,
        distance_km=distance_km,
        lines=quote.lines(),
        total=quote.total,
        free=quote.free,
        schedule_version=quote.schedule_version,
        created_by=actor,
    )
    record_event(
        locked,
        "quote_proposed",
        actor,
        public=True,
        body=(
            gettext("Free under 三包: this repair costs you nothing.")
            if quote.free
            else gettext("Quote for the repair: %(total)s yuan. Please accept it before the work.")
            % {"total": f"{quote.total:.2f}"}
        ),
        quote=row.pk,
        total=f"{quote.total:.2f}",
        free=quote.free,
    )
    return row


@transaction.atomic
def decide_quote(
    *, actor, quote: FeeQuote, accept: bool, via: str, accepted_by: str = ""
) -> FeeQuote:
    """The customer accepts or declines a quote: ``via`` "visit" (the technician records it on
    the visit, naming the person) or "tracking" (the customer on the tracking page)."""
    if via == "visit":
        _require(actor)
        accepted_by = clean.text(accepted_by, "accepted_by", required=True, max_length=50)
    elif via != "tracking":
        raise InvalidInput(_("%(field)s: “visit” or “tracking”."), field="via")
    ticket = lock_ticket(quote.ticket)
    locked = FeeQuote.objects.select_for_update(of=("self",)).get(pk=quote.pk)
    if locked.status != QuoteStatus.PROPOSED:
        raise Conflict(_("This quote was already answered."))
    locked.status = QuoteStatus.ACCEPTED if accept else QuoteStatus.DECLINED
    locked.accepted_via, locked.accepted_by = via, accepted_by or gettext("the customer")
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "accepted_via", "accepted_by", "decided_at"])
    record_event(
        ticket,
        "quote_accepted" if accept else "quote_declined",
        actor if via == "visit" else None,
        public=True,
        body=(gettext("Quote accepted: %(total)s yuan.") if accept else gettext("Quote declined."))
        % {"total": f"{locked.total:.2f}"},
        quote=locked.pk,
        via=via,
    )
    return locked


@transaction.atomic
def record_payment(
    *,
    actor,
    ticket,
    kind: str,
    method: str,
    amount,
    receipt_number: str,
    quote: FeeQuote | None = None,
    order=None,
) -> Payment:
    """Money in (a paid repair), or out (a refund), or a depreciation charge on a 三包 return,
    with its method and receipt number. A repair's payment needs an accepted, non-free quote."""
    _require(actor)
    selectors.require_own_job(actor, ticket)
    kind = clean.choice(kind, PaymentKind, "kind")
    method = clean.choice(method, PaymentMethod, "method")
    amount = clean.money(amount, "amount", positive=True)
    receipt_number = clean.text(receipt_number, "receipt_number", required=True, max_length=40)
    locked = lock_ticket(ticket)
    if kind == PaymentKind.PAYMENT:
        if quote is None or quote.status != QuoteStatus.ACCEPTED:
            raise Conflict(_("Take payment only for a quote the customer accepted."))
        if quote.free:
            raise Conflict(_("This repair is free under 三包: nothing may be charged."))
        if amount != quote.total:
            raise InvalidInput(
                _("%(field)s: the accepted quote is %(total)s yuan."),
                field="amount",
                total=f"{quote.total:.2f}",
            )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                ticket=locked,
                quote=quote,
                order=order,
                kind=kind,
                method=method,
                amount=amount,
                receipt_number=receipt_number,
                actor=actor,
            )
    except IntegrityError:
        raise Conflict(_("That receipt number is already recorded.")) from None
    record_event(
        locked,
        "payment_recorded",
        actor,
        public=True,
        body=gettext("%(kind)s recorded: %(amount)s yuan (%(method)s, receipt %(receipt)s)")
        % {
            "kind": payment.get_kind_display(),
            "amount": f"{amount:.2f}",
            "method": payment.get_method_display(),
            "receipt": receipt_number,
        },
        payment=payment.pk,
        kind=kind,
        amount=f"{amount:.2f}",
        method=method,
        receipt_number=receipt_number,
    )
    return payment
