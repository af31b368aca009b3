from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "kefu.aftersales"
    label = "aftersales"
    verbose_name = _("After-sales (三包)")

    def ready(self):
        from kefu.web.desk_views import TICKET_PANELS
        from kefu.web.nav import DESK_NAV

        from . import desk_views

        DESK_NAV.append((_("三包 calculator"), "aftersales:calculator", "reply"))
        DESK_NAV.append((_("Visits"), "aftersales:visits", "reply"))
        TICKET_PANELS.append(("aftersales/_ticket_panel.html", desk_views.ticket_panel))
