from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "kefu.quality"
    label = "quality"
    verbose_name = _("Service quality")

    def ready(self):
        from kefu.tickets import signals
        from kefu.web import desk_views, nav

        from . import receivers, views

        signals.reply_checking.connect(receivers.check_reply, dispatch_uid="quality.check_reply")
        signals.status_changing.connect(
            receivers.require_root_cause, dispatch_uid="quality.require_root_cause"
        )
        nav.DESK_NAV.append((_("Service quality"), "quality:home", None))
        desk_views.TICKET_PANELS.append(("quality/_complaint_panel.html", views.complaint_panel))
        desk_views.TICKET_PANELS.append(("quality/_review_panel.html", views.review_panel))
