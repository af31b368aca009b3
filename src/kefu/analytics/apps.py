from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Reports and dashboards: the numbers a manager runs the service by (issue 11)."""

    name = "kefu.analytics"
    label = "analytics"
    verbose_name = _("Reports")
    # The desk pages live at /desk/reports/ (the interface the managers' links use).
    desk_prefix = "reports"

    def ready(self):
        from kefu.web import ticket_page

        ticket_page.register_nav(_("Reports"), "analytics:dashboard", "analytics.view")
