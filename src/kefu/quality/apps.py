from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "kefu.quality"
    label = "quality"
    verbose_name = _("Service quality")

    def ready(self):
        # The reply and status checks are registered in kefu.tickets.checks (quality/checks.py).
        from kefu.web import ticket_page

        from . import views

        ticket_page.register_nav(_("Service quality"), "quality:home", "quality.self_assessment")
        ticket_page.register_panel(
            "quality/_complaint_panel.html", views.complaint_panel, _("Complaint guide")
        )
        ticket_page.register_panel(
            "quality/_review_panel.html", views.review_panel, _("QA scorecards")
        )
