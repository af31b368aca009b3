from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "kefu.aftersales"
    label = "aftersales"
    verbose_name = _("After-sales (三包)")

    def ready(self):
        from kefu.customers import datarights as customer_rights

        from . import datarights

        customer_rights.register("aftersales", export=datarights.export, erase=datarights.erase)
        from kefu.web import ticket_page

        from . import desk_views

        nav = ticket_page.register_nav
        # The calculator under the after-sales menu where the bar is crowded (a manager's bar at
        # 1366 px hid its last links); visits stay in the bar, a technician's first page.
        nav(_("三包 calculator"), "aftersales:calculator", "tickets.reply", menu="aftersales")
        nav(_("Visits"), "aftersales:visits", "tickets.reply")
        # Outlet jobs before spare parts: an outlet's people land on their first link.
        nav(_("Outlet jobs"), "aftersales:outlet_jobs", "aftersales.outlet_jobs", menu="aftersales")
        nav(_("Spare parts"), "aftersales:parts", "aftersales.parts", menu="aftersales")
        nav(_("Warranty card"), "aftersales:warranty", "aftersales.warranty", menu="aftersales")
        nav(_("Warranty claims"), "aftersales:claims", "aftersales.claims", menu="aftersales")
        ticket_page.register_panel(
            "aftersales/_ticket_panel.html", desk_views.ticket_panel, _("After-sales (三包)")
        )
