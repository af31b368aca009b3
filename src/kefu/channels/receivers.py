"""The timeline listener: a customer-facing event, once its change has committed, becomes a
message to the customer (services.messages_for_event)."""

from django.db import transaction

from . import rules


def on_timeline_event(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    # Cheap filter first: most events (notes, SLA, deliveries themselves) reach no customer.
    data = instance.data or {}
    event_id = instance.pk
    if rules.template_for(instance.kind, instance.public, data) is not None:
        from .services import messages_for_event

        # The event as written (its ticket and customer are loaded already): reading them again
        # after commit cost a third of a new ticket's request (issue 14).
        transaction.on_commit(lambda: messages_for_event(instance), robust=True)
    if rules.webhook_event_for(instance.kind, instance.public, data) is not None:
        from .webhooks import queue_for_event

        transaction.on_commit(lambda: queue_for_event(event_id), robust=True)
