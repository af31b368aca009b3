"""What feedback holds about a customer, for the customer's data rights (customers.datarights):
surveys, follow-up calls (回访), signed feedback cards (意见卡), compensation."""

from .models import Compensation, FeedbackCard, FollowUp, Survey


def _iso(value):
    return value.isoformat() if value else None


def export(customer) -> dict:
    surveys = Survey.objects.filter(ticket__customer=customer).prefetch_related("answers__question")
    return {
        "surveys": [
            {
                "ticket": s.ticket_id,
                "sent": _iso(s.created_at),
                "answered": _iso(s.answered_at),
                "csat": s.csat,
                "comment": s.comment,
                "answers": [
                    {"question": str(a.question), "score": a.score} for a in s.answers.all()
                ],
            }
            for s in surveys.order_by("id")
        ],
        "followups": [
            {
                "ticket": f.ticket_id,
                "reason": f.reason,
                "due": _iso(f.due_on),
                "outcome": f.outcome,
                "note": f.note,
                "done": _iso(f.done_at),
            }
            for f in FollowUp.objects.filter(ticket__customer=customer).order_by("id")
        ],
        "feedback_cards": [
            {"at": _iso(c.created_at), "text": c.text, "handling_note": c.handling_note}
            for c in FeedbackCard.objects.filter(customer=customer).order_by("id")
        ],
        "compensation": [
            {
                "ticket": c.ticket_id,
                "kind": c.kind,
                "amount": f"{c.amount:.2f}",
                "gift": c.gift,
                "reason": c.reason,
                "status": c.status,
                "requested": _iso(c.requested_at),
                "decided": _iso(c.decided_at),
            }
            for c in Compensation.objects.filter(ticket__customer=customer).order_by("id")
        ],
    }


def erase(customer, actor, reason) -> dict:
    """Free text goes; scores, outcomes, dates and the money of compensation stay."""
    return {
        "surveys": Survey.objects.filter(ticket__customer=customer).update(comment=""),
        "followups": FollowUp.objects.filter(ticket__customer=customer).update(note=""),
        "feedback_cards": FeedbackCard.objects.filter(customer=customer).update(
            text="已匿名", handling_note=""
        ),
        "compensation": Compensation.objects.filter(ticket__customer=customer).update(
            reason="已匿名", decision_note=""
        ),
    }
