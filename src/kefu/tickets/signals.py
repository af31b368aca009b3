"""What other apps (SLA clocks, surveys, notifications) listen to: after-the-fact effects only;
what may refuse a change is a check in kefu.tickets.checks. Sent inside the service's
transaction, after the change and its timeline event are written: a receiver that raises
rolls the whole change back."""

from django.dispatch import Signal

ticket_opened = Signal()  # ticket, actor
reply_added = Signal()  # ticket, event, actor
customer_messaged = Signal()  # ticket, event
status_changed = Signal()  # ticket, actor, previous, status
escalated = Signal()  # ticket, actor, previous, tier, automatic, reason
# Every timeline line written through kefu.tickets.timeline, inside the writer's transaction:
# ticket_ids (a set). Every state change records one, so a listener keeping derived rows (the
# reports' facts) learns of every change here.
events_recorded = Signal()
