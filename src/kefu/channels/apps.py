from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """SMS, e-mail and WeChat to customers; inbound e-mail."""

    name = "kefu.channels"
    label = "channels"
    verbose_name = _("Customer channels")

    def ready(self):
        from django.db.models.signals import post_save

        from kefu.tickets.models import TicketEvent

        from . import receivers

        # The timeline is the event bus: every app writes its customer-facing moments through
        # record_event, so listening here hears sla, aftersales and feedback without a signal of
        # their own (and without them knowing channels exists).
        post_save.connect(
            receivers.on_timeline_event, sender=TicketEvent, dispatch_uid="channels.outbound"
        )
        from kefu.web import ticket_page

        ticket_page.register_nav(_("Log a call"), "channels:calls", "channels.calls")
