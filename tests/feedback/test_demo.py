"""The demo's customer-feedback rows: present after `kefu demo`, added only once, no extra customers."""

import pytest

from kefu.customers.models import Customer
from kefu.feedback.demo import load as load_feedback_demo
from kefu.feedback.models import FeedbackCard, Survey
from kefu.web.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_customer_feedback_once():
    added = load_demo(n_customers=12, n_tickets=40)
    assert (added["customers"], added["tickets"], added["cards"]) == (12, 40, 8)
    assert Customer.objects.count() == 12  # signed cards come from customers already on file
    assert FeedbackCard.objects.filter(customer__isnull=False).count() == 3
    assert Survey.objects.filter(answered_at__isnull=False).exists()
    assert load_feedback_demo("x") == {"cards": 0, "compensations": 0}
    again = load_demo(n_customers=12, n_tickets=40)
    assert all(n == 0 for n in again.values()), again
    assert FeedbackCard.objects.count() == 8
