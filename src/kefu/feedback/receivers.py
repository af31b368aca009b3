"""Listeners on the ticket's signals (connected in FeedbackConfig.ready)."""

from kefu.tickets.models import Status

from .services import survey_on_resolution


def on_status_changed(sender, ticket, actor, previous, status, **kwargs):
    """Resolved → the customer's satisfaction survey."""
    if status == Status.RESOLVED:
        survey_on_resolution(ticket)
