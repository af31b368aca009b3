"""The customer books, moves and cancels a delivery / installation on the tracking page."""

import datetime

import pytest
from django.utils import timezone

from kefu.aftersales import booking
from kefu.aftersales.models import FieldVisit
from kefu.errors import Conflict, InvalidInput
from kefu.tickets.models import TicketEvent
from tests.factories import open_ticket, purchase_bought, technician

pytestmark = pytest.mark.django_db


@pytest.fixture
def installation(chain, users):
    technician(users["technician"], skills=("refrigerator",), regions=("east",))
    purchase = purchase_bought(2)
    return open_ticket(
        "SH001",
        customer=purchase.customer,
        purchase_id=purchase.pk,
        type="installation",
        subject="新冰箱送货安装",
    )


def day(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def test_book_reschedule_cancel(installation, users, client):
    slots = booking.free_slots(installation)
    assert slots[0] == (day(1), "09-12") and len(slots) == 14 * 3
    visit = booking.book(ticket=installation, kind="installation", date=day(1), window="09-12")
    assert visit.technician.user == users["technician"] and visit.created_by is None
    # The only technician is busy in that slot now: it is no longer offered.
    assert (day(1), "09-12") not in booking.free_slots(installation)
    with pytest.raises(Conflict):
        booking.book(ticket=installation, kind="installation", date=day(2), window="09-12")
    with pytest.raises(InvalidInput):
        booking.book(ticket=installation, kind="installation", date=day(0), window="18-20")
    moved = booking.reschedule(ticket=installation, visit_id=visit.pk, date=day(3), window="13-17")
    assert (moved.date, moved.window, moved.reschedules) == (day(3), "13-17", 1)
    booking.cancel(ticket=installation, visit_id=visit.pk)
    assert FieldVisit.objects.get(pk=visit.pk).status == "cancelled"
    kinds = set(
        TicketEvent.objects.filter(ticket=installation, public=True).values_list("kind", flat=True)
    )
    assert {"visit_booked", "visit_rebooked", "visit_called_off"} <= kinds


def test_another_tickets_link_cannot_touch_the_appointment(installation, chain, client):
    visit = booking.book(ticket=installation, kind="delivery", date=day(2), window="13-17")
    other = open_ticket("SH001", type="installation")
    r = client.post(
        f"/t/{other.tracking_token}/booking/",
        {"action": "cancel", "visit": visit.pk},
    )
    assert r.status_code == 404
    assert FieldVisit.objects.get(pk=visit.pk).status == "scheduled"


def test_the_tracking_page_offers_slots_and_books(installation, client):
    page = client.get(f"/t/{installation.tracking_token}/").content.decode()
    assert 'data-testid="booking"' in page and day(1).strftime("%m-%d") in page
    r = client.post(
        f"/t/{installation.tracking_token}/booking/",
        {"action": "book", "kind": "installation", "slot": f"{day(2).isoformat()}|18-20"},
    )
    assert r.status_code == 302
    visit = FieldVisit.objects.get(ticket=installation)
    assert (visit.date, visit.window) == (day(2), "18-20")


def test_the_day_before_the_customer_is_reminded_on_their_channel(
    installation, django_capture_on_commit_callbacks
):
    from kefu.channels.models import Delivery

    visit = booking.book(ticket=installation, kind="installation", date=day(2), window="13-17")
    assert booking.remind_tomorrows_bookings(today=day(0)) == 0  # not tomorrow yet
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.remind_tomorrows_bookings(today=day(1)) == 1
    event = TicketEvent.objects.get(ticket=installation, kind="visit_reminder")
    assert event.public and event.data["visit"] == visit.pk and "13:00" in event.body
    delivery = Delivery.objects.get(ticket=installation, template="visit_booked")
    assert day(2).isoformat() in delivery.body
    # Once: a second sweep the same day reminds nobody again.
    assert booking.remind_tomorrows_bookings(today=day(1)) == 0
    # A cancelled appointment is not reminded.
    booking.reschedule(ticket=installation, visit_id=visit.pk, date=day(4), window="09-12")
    booking.cancel(ticket=installation, visit_id=visit.pk)
    assert booking.remind_tomorrows_bookings(today=day(3)) == 0
