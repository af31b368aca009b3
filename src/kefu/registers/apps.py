from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "kefu.registers"
    label = "registers"
    verbose_name = _("Store registers")

    def ready(self):
        from kefu.web import ticket_page

        nav = ticket_page.register_nav
        nav(_("Lost and found"), "registers:lost_found", "registers.lost_found", menu="registers")
        nav(_("Training"), "registers:training", "registers.training", menu="registers")
        nav(_("Voice of the customer"), "registers:voice", "registers.voice", menu="registers")
