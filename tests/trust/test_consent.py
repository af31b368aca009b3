"""Issue 10: every outbound customer message respects consent. Service messages about the
customer's own ticket go out; anything asking more of the customer (survey links, follow-up
calls) reaches only those who agreed to be contacted, on every channel."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from kefu.channels import rules
from kefu.channels.models import Delivery
from kefu.tickets import services
from tests.factories import CustomerFactory, open_ticket

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db

# Messages the customer receives because they asked for service (their ticket, their visit):
# no consent needed. Every other template must be marked "needs_consent" in the rules.
SERVICE_TEMPLATES = {
    "ticket_received",
    "public_reply",
    "timetable",
    "visit_booked",
    "visit_on_the_way",
    "visit_done",
    "resolved",  # its survey line is added only with consent (below)
}


def test_every_outbound_rule_is_a_service_message_or_needs_consent():
    for rule in rules.load_rules()["events"]:
        assert rule["template"] in SERVICE_TEMPLATES or rule.get("needs_consent") is True, rule


@pytest.mark.parametrize("consent", [True, False])
@time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH), tick=False)
def test_the_resolution_message_carries_a_survey_only_with_consent(
    chain, users, consent, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(
        phone="13912345678", email="wang@example.cn", consent_contact=consent
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    resolved = Delivery.objects.get(ticket=ticket, template="resolved")
    assert ("/survey/" in resolved.body) is consent
    surveys_mailed = [m for m in mail.outbox if "/survey/" in m.body]
    if not consent:
        assert not surveys_mailed
        assert not Delivery.objects.filter(ticket=ticket, template="followup_scheduled").exists()
