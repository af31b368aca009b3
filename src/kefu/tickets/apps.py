from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The ticket text index holds each ticket's store and region beside its words (PostgreSQL):
# a store's or region's matches for a word are one lookup (migration 0010).
SEARCH_INDEX_BESIDE = ("store_id", "region_id")


def _ensure_search_index(sender, using="default", **kwargs):
    from django.db import connections

    from kefu import search

    search.ensure_installed(
        connections[using],
        table="tickets_ticket",
        fts_table="tickets_ticket_fts",
        beside=SEARCH_INDEX_BESIDE,
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
