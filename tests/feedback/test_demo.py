"""The demo's customer-feedback rows: present after `kefu demo`, and added only once."""

import pytest

from kefu.customers.models import Customer
from kefu.feedback.models import FeedbackCard, Survey
from kefu.web.demo import load_demo, load_feedback_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_customer_feedback_once():
    assert load_demo(n_customers=12, n_tickets=40) == {"customers": 12, "tickets": 40}
    assert Customer.objects.count() == 12  # signed cards come from customers already on file
    assert FeedbackCard.objects.count() == 8 and FeedbackCard.objects.filter(customer__isnull=False).exists()
    assert Survey.objects.filter(answered_at__isnull=False).exists()
    assert load_feedback_demo() == {"surveys_answered": 0, "followups": 0, "cards": 0, "compensations": 0}
    assert load_demo(n_customers=12, n_tickets=40) == {"customers": 0, "tickets": 0}
    assert FeedbackCard.objects.count() == 8
