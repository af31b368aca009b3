"""A real browser: the customer books an installation on the tracking page and moves it."""

import datetime

import pytest
from django.utils import timezone

from kefu.aftersales.models import FieldVisit
from tests.factories import open_ticket, purchase_bought, technician

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_customer_books_and_reschedules_an_installation(page, chain, users):
    technician(users["technician"], skills=("refrigerator",), regions=("east",))
    purchase = purchase_bought(1)
    ticket = open_ticket(
        "SH001", customer=purchase.customer, purchase_id=purchase.pk, type="installation"
    )
    first = timezone.localdate() + datetime.timedelta(days=2)
    later = timezone.localdate() + datetime.timedelta(days=4)
    page.goto(f"/t/{ticket.tracking_token}/")
    page.select_option("[data-testid=book-slot]", f"{first.isoformat()}|13-17")
    page.click("[data-testid=booking] button.primary")
    page.wait_for_selector("text=预约成功")
    assert first.isoformat() in page.locator("[data-testid=appointment-slot]").inner_text()
    page.select_option("[data-testid=reschedule-slot]", f"{later.isoformat()}|09-12")
    page.click("button[value=reschedule]")
    page.wait_for_selector("text=已为您改约")
    assert later.isoformat() in page.locator("[data-testid=appointment-slot]").inner_text()
    visit = FieldVisit.objects.get(ticket=ticket)
    assert (visit.date, visit.window, visit.reschedules) == (later, "09-12", 1)
