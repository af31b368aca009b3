"""The checks service quality adds to ticket work (registered in kefu.tickets.checks).

- A public reply is checked before it is written: a `block` finding refuses it (422 with the
  findings) unless the sender asks to override and the manager's policy lets their role; the
  override is recorded on the timeline. Other findings travel back as the reply's warnings.
- Internal notes are not checked: the customer never reads them, and agents quote the
  customer's own angry words in them ("顾客说“你们绝对不可能修好”").
- A complaint is not resolved (or closed without resolving) until its root cause is picked.
"""

from django.utils.translation import gettext_lazy as _

from kefu.errors import Forbidden, InvalidInput
from kefu.tickets.checks import ReplyAttempt, StatusMove
from kefu.tickets.models import Status, TicketType

from . import selectors, services


def _phrases(blocks) -> str:
    return "、".join(dict.fromkeys(f"「{f.text}」" for f in blocks))


def forbidden_phrases(attempt: ReplyAttempt) -> list[dict]:
    """Refuse a public reply with a forbidden phrase (unless overridden as policy allows), else
    return the checker's hints as warnings."""
    ticket, actor, body, override = attempt.ticket, attempt.actor, attempt.body, attempt.override
    if not attempt.public:
        return []
    findings = selectors.check_reply(body, ticket=ticket)
    blocks = [f for f in findings if f.severity == "block"]
    if not blocks:
        return [f.to_dict() for f in findings]
    allowed = selectors.may_override(actor)
    extra = {"findings": [f.to_dict() for f in findings], "may_override": allowed}
    if not override:
        raise InvalidInput(
            _(
                "The reply contains a forbidden service phrase: %(phrases)s. Please rephrase it before sending."
            ),
            field="body",
            code="forbidden_phrase",
            extra=extra,
            phrases=_phrases(blocks),
        )
    if not allowed:
        raise Forbidden(
            _(
                "Your role may not send a reply that contains a forbidden service phrase (%(phrases)s). Please rephrase it."
            ),
            field="body",
            code="override_not_allowed",
            extra=extra,
            phrases=_phrases(blocks),
        )
    services.record_override(ticket=ticket, actor=actor, findings=[f.to_dict() for f in blocks])
    return [{**f.to_dict(), "overridden": f.severity == "block"} for f in findings]


def root_cause_recorded(move: StatusMove) -> None:
    """A complaint needs its root cause before it is resolved (or closed unresolved)."""
    ticket, previous, status = move.ticket, move.previous, move.status
    if ticket.type != TicketType.COMPLAINT:
        return
    if status != Status.RESOLVED and not (status == Status.CLOSED and previous != Status.RESOLVED):
        return
    if not selectors.guide_for(ticket).root_cause:
        raise InvalidInput(
            _(
                "A complaint is resolved only once its root cause is recorded: pick why the customer "
                "complained in the complaint guide first."
            ),
            field="root_cause",
            code="root_cause_required",
        )
