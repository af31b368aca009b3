from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "kefu.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from kefu.feedback import signals as feedback_signals

        feedback_signals.notice.connect(
            _deliver_feedback_notice, dispatch_uid="kefu.notifications.feedback"
        )


def _deliver_feedback_notice(sender, users, text, ticket=None, data=None, **kwargs):
    """Surveys, 回访 and compensation tell colleagues through the bell (and mail when set up)."""
    from .models import NotificationKind
    from .services import notify

    notify([u.pk for u in users], kind=NotificationKind.CUSTOMER_VOICE, text=text, ticket=ticket)
