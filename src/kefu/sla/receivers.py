"""Signal receivers: the ticket services announce each change inside their transaction; the
clocks follow. A receiver that raises rolls the ticket change back, so they stay small."""

from django.db.models.signals import post_delete, post_save

from kefu.tickets import signals

from . import selectors, services
from .models import Calendar, CalendarException, SlaPolicy, SpecialCaseRule, SpecialCaseTrigger


def _opened(sender, ticket, actor=None, **kw):
    services.start_clocks(ticket)


def _replied(sender, ticket, event, actor=None, **kw):
    services.reply_sent(ticket, event)


def _customer(sender, ticket, event, **kw):
    services.customer_wrote(ticket, event)


def _status(sender, ticket, previous, status, actor=None, **kw):
    services.pause_or_resume(ticket, previous=previous, status=status)


def _escalated(sender, ticket, previous, tier, actor=None, automatic=False, reason="", **kw):
    services.escalated(
        ticket, actor=actor, previous=previous, tier=tier, automatic=automatic, reason=reason
    )


def connect():
    signals.ticket_opened.connect(_opened, dispatch_uid="sla.opened")
    signals.reply_added.connect(_replied, dispatch_uid="sla.replied")
    signals.customer_messaged.connect(_customer, dispatch_uid="sla.customer")
    signals.status_changed.connect(_status, dispatch_uid="sla.status")
    signals.escalated.connect(_escalated, dispatch_uid="sla.escalated")
    for model in (Calendar, CalendarException, SlaPolicy, SpecialCaseRule, SpecialCaseTrigger):
        post_save.connect(
            selectors.clear_caches, sender=model, dispatch_uid=f"sla.cache.save.{model.__name__}"
        )
        post_delete.connect(
            selectors.clear_caches, sender=model, dispatch_uid=f"sla.cache.delete.{model.__name__}"
        )
