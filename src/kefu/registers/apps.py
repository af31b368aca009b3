from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "kefu.registers"
    label = "registers"
    verbose_name = _("Store registers")

    def ready(self):
        from kefu.web import ticket_page

        ticket_page.register_nav(
            _("Lost and found"), "registers:lost_found", "registers.lost_found"
        )
        ticket_page.register_nav(_("Training"), "registers:training", "registers.training")
        ticket_page.register_nav(_("Voice of the customer"), "registers:voice", "registers.voice")
