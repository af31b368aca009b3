"""The timeline listener: a customer-facing event, once its change has committed, becomes a
message to the customer (services.messages_for_event)."""

from django.db import transaction

from . import rules


def on_timeline_event(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    # Cheap filter first: most events (notes, SLA, deliveries themselves) reach no customer.
    if rules.template_for(instance.kind, instance.public, instance.data or {}) is None:
        return
    from .services import messages_for_event

    event_id = instance.pk
    transaction.on_commit(lambda: messages_for_event(event_id), robust=True)
