from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_search_index(sender, using="default", **kwargs):
    from django.db import connections

    from kefu import search

    search.ensure_installed(
        connections[using], table="tickets_ticket", fts_table="tickets_ticket_fts"
    )


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from kefu.customers import datarights as customer_rights

        from . import datarights

        customer_rights.register("tickets", export=datarights.export, erase=datarights.erase)
        post_migrate.connect(
            _ensure_search_index, sender=self, dispatch_uid="kefu.tickets.search_index"
        )
