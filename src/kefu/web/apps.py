from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kefu.web"
    label = "web"

    def ready(self):
        # Composition: a macro may promise a solution time, which the sla app owns; knowledge
        # and sla sit on one layer and may not import each other, so the wiring lives here.
        from kefu.knowledge import services as knowledge_services
        from kefu.sla import services as sla_services

        def set_timetable(actor, ticket, promised_at):
            sla_services.set_solution_timetable(actor=actor, ticket=ticket, promised_at=promised_at)

        knowledge_services.ACTION_HANDLERS["timetable"] = set_timetable
