from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "kefu.sla"
    label = "sla"
    verbose_name = _("SLA and escalation")

    def ready(self):
        # Clocks follow the ticket services through their signals; the ticket JSON and the
        # ticket page get the SLA from the extension points the tickets and web apps offer.
        from kefu.tickets.api import TICKET_EXTRAS
        from kefu.web import ticket_page

        from . import receivers, selectors, views

        receivers.connect()
        TICKET_EXTRAS["sla"] = selectors.sla_json
        ticket_page.register_panel(views.PANEL_TEMPLATE, views.panel, _("Service levels"))
