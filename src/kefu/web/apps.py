from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "kefu.web"
    label = "web"

    def ready(self):
        # The admin reads in Chinese: its header, and the one third-party app that has no
        # verbose name of its own (django-axes, the login throttle).
        from django.contrib import admin

        admin.site.site_header = _("Kefu administration")
        admin.site.site_title = _("Kefu admin")
        admin.site.index_title = _("Settings and data")
        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = _("Login protection")

        # Composition: a macro may promise a solution time, which the sla app owns; knowledge
        # and sla sit on one layer and may not import each other, so the wiring lives here.
        from kefu.knowledge import services as knowledge_services
        from kefu.sla import services as sla_services

        def set_timetable(actor, ticket, promised_at):
            sla_services.set_solution_timetable(actor=actor, ticket=ticket, promised_at=promised_at)

        knowledge_services.ACTION_HANDLERS["timetable"] = set_timetable
