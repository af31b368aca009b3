from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The desk bell and its mail copies. The apps above (sla, feedback) call
    kefu.notifications.services.notify / notify_many by name when something needs a person."""

    name = "kefu.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
