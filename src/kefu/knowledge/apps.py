from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_search_index(sender, using="default", **kwargs):
    from django.db import connections

    from kefu import search

    search.ensure_installed(
        connections[using], table="knowledge_article", fts_table="knowledge_article_fts"
    )


class KnowledgeConfig(AppConfig):
    """Articles for agents and customers (FAQ, how-tos, 三包, store policies) and canned
    replies (macros)."""

    name = "kefu.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        from kefu.tickets import api as ticket_api
        from kefu.web import ticket_page

        from . import services, views

        post_migrate.connect(
            _ensure_search_index, sender=self, dispatch_uid="kefu.knowledge.search_index"
        )
        ticket_api.REPLY_MACROS["prepare"] = services.prepare_reply
        ticket_page.register_nav(_("Knowledge"), "knowledge:home", "knowledge.read")
        ticket_page.register_panel(
            "knowledge/_ticket_panel.html", views.ticket_panel, _("Articles that may help")
        )
