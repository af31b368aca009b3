"""Issue 10: a follow-up call or a feedback card at store B about a customer on file at store A
shows B neither the name nor the honorific on file (a mobile number discloses nothing)."""

import datetime
import json

import pytest

from kefu.feedback.models import FeedbackCard, FollowUp, FollowUpReason
from tests.factories import CustomerFactory, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def sh_customer(chain):
    return CustomerFactory(name="欧阳明", gender="female", home_store=chain["stores"]["SH001"])


def test_a_followup_at_another_store_does_not_disclose_the_name(api, desk, chain, sh_customer):
    ticket = open_ticket(chain["stores"]["BJ001"], customer=sh_customer)
    followup = FollowUp.objects.create(
        ticket=ticket,
        store_id=ticket.store_id,
        region_id=ticket.region_id,
        reason=FollowUpReason.values[0],
        due_on=datetime.date.today(),
    )
    answer = api("manager_bj001").get(f"/api/v1/feedback/followups/{followup.pk}")
    assert answer.status_code == 200
    assert "欧阳" not in json.dumps(answer.json(), ensure_ascii=False)
    for url in ("/desk/feedback/followups/?view=all", f"/desk/feedback/followups/{followup.pk}/"):
        page = desk("manager_bj001").get(url)
        assert page.status_code == 200 and "欧阳" not in page.content.decode(), url
    # where the customer is on file (the CS department), the name shows
    full = api("cs_manager").get(f"/api/v1/feedback/followups/{followup.pk}").json()
    assert full["customer"]["name"] == "欧阳明"


def test_a_signed_card_at_another_store_does_not_disclose_the_name(api, desk, chain, sh_customer):
    card = FeedbackCard.objects.create(
        store=chain["stores"]["BJ001"],
        region=chain["stores"]["BJ001"].region,
        category="praise",
        text="店员态度很好。",
        customer=sh_customer,
    )
    client = api("manager_bj001")
    for url in ("/api/v1/feedback/cards?view=all", f"/api/v1/feedback/cards/{card.pk}"):
        answer = client.get(url)
        assert answer.status_code == 200
        assert "欧阳" not in json.dumps(answer.json(), ensure_ascii=False), url
        assert sh_customer.phone not in answer.content.decode()
    for url in ("/desk/feedback/cards/?view=all", f"/desk/feedback/cards/{card.pk}/"):
        page = desk("manager_bj001").get(url)
        assert page.status_code == 200 and "欧阳" not in page.content.decode(), url
