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
        from kefu.tickets import signals
        from kefu.web import ticket_page

        from . import facts

        # Mark a ticket's report facts stale in the same transaction as each change.
        signals.events_recorded.connect(facts.mark_stale, dispatch_uid="analytics.facts")

        ticket_page.register_nav(_("Reports"), "analytics:dashboard", "analytics.view")
