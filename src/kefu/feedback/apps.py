from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """The customer's voice: surveys, follow-up calls (回访), feedback cards (意见卡), compensation."""

    name = "kefu.feedback"
    label = "feedback"
    verbose_name = _("Customer feedback")

    def ready(self):
        from kefu.customers import datarights as customer_rights

        from . import datarights as feedback_rights

        customer_rights.register(
            "feedback", export=feedback_rights.export, erase=feedback_rights.erase
        )
        from kefu.tickets import signals as ticket_signals
        from kefu.web import ticket_page

        from . import receivers, views

        ticket_signals.status_changed.connect(
            receivers.on_status_changed, dispatch_uid="feedback.survey_on_resolution"
        )
        nav = ticket_page.register_nav
        nav(_("Follow-up calls"), "feedback:followups", "feedback.followups", menu="feedback")
        nav(_("Feedback cards"), "feedback:cards", "feedback.cards", menu="feedback")
        nav(
            _("Compensation"),
            "feedback:compensations",
            "feedback.compensation.request",
            menu="feedback",
        )
        nav(_("Satisfaction"), "feedback:surveys", "feedback.reports", menu="feedback")
        ticket_page.register_panel(
            "feedback/_ticket_panel.html", views.ticket_panel, _("Customer's voice")
        )
