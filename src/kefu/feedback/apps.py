from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """The customer's voice: surveys, follow-up calls (回访), feedback cards (意见卡), compensation."""

    name = "kefu.feedback"
    label = "feedback"
    verbose_name = _("Customer feedback")

    def ready(self):
        from kefu.tickets import signals as ticket_signals
        from kefu.web.desk_views import TICKET_PANELS
        from kefu.web.nav import DESK_NAV

        from . import permissions, receivers
        from .views import ticket_panel

        permissions.install()
        ticket_signals.status_changed.connect(
            receivers.on_status_changed, dispatch_uid="feedback.survey_on_resolution"
        )
        for link in [
            (_("Follow-up calls"), "feedback:followups", "followups"),
            (_("Feedback cards"), "feedback:cards", "feedback_cards"),
            (_("Compensation"), "feedback:compensations", "compensation"),
            (_("Satisfaction"), "feedback:surveys", "feedback_reports"),
        ]:
            if link not in DESK_NAV:
                DESK_NAV.append(link)
        panel = ("feedback/_ticket_panel.html", ticket_panel)
        if panel not in TICKET_PANELS:
            TICKET_PANELS.append(panel)
