"""What other apps (SLA clocks, quality checks, surveys) listen to. Sent inside the service's
transaction, after the change and its timeline event are written: a receiver that raises
rolls the whole change back."""

from django.dispatch import Signal

ticket_opened = Signal()  # ticket, actor
reply_added = Signal()  # ticket, event, actor
customer_messaged = Signal()  # ticket, event
status_changed = Signal()  # ticket, actor, previous, status
escalated = Signal()  # ticket, actor, previous, tier, automatic

# Sent BEFORE a change is written, inside the same transaction. A receiver refuses the change by
# raising a kefu.errors.KefuError; whatever it returns (a list of dicts) travels back to the caller.
reply_checking = Signal()  # ticket, actor, body, public, override -> list of warnings
status_changing = Signal()  # ticket, actor, previous, status
