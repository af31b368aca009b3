"""Feedback cards (意见卡): left on the portal, anonymous or signed, routed to the store manager's inbox."""

import pytest
from django.core.cache import cache

from kefu.customers.models import Customer
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.feedback import selectors, services
from kefu.feedback.models import FeedbackCard
from kefu.notifications.models import Notification
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # The portal's rate limit counts in the cache; each test starts with a fresh one.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "feedback-cards",
        }
    }
    cache.clear()


def post_card(client, **fields):
    return client.post(
        "/feedback/",
        {"store": "SH001", "category": "suggestion", "text": "希望周末延长营业时间", **fields},
    )


def test_an_anonymous_card_reaches_the_store_manager(chain, client):
    r = post_card(client)
    assert r.status_code == 302 and r["Location"] == "/feedback/?sent=1"
    card = FeedbackCard.objects.get()
    assert (
        card.customer is None
        and card.is_anonymous
        and card.store.code == "SH001"
        and card.region.code == "east"
    )
    notices = Notification.objects.filter(kind="customer_voice")
    assert [(n.recipient.username, n.ticket_id) for n in notices] == [("manager_sh001", None)]
    assert Customer.objects.count() == 0
    assert 'data-testid="card-thanks"' in client.get("/feedback/?sent=1").content.decode()


def test_a_signed_card_is_linked_to_the_customer_with_that_mobile(chain, client):
    r = post_card(
        client, name="张伟", phone="139 1234 5678", gender="male", consent="1", category="praise"
    )
    assert r.status_code == 302
    card = FeedbackCard.objects.get()
    assert (
        card.customer.phone == "13912345678"
        and card.customer.name == "张伟"
        and card.category == "praise"
    )
    post_card(client, name="张伟", phone="+86 13912345678", consent="1")
    assert (
        Customer.objects.count() == 1
        and FeedbackCard.objects.filter(customer=card.customer).count() == 2
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "张伟", "phone": "12345", "consent": "1"}, "phone"),
        ({"name": "张伟"}, "phone"),
        ({"phone": "13912345678", "consent": "1"}, "name"),
        ({"name": "张伟", "phone": "13912345678"}, "consent"),
        ({"text": "  "}, "text"),
        ({"store": "XX999"}, "store"),
        ({"category": "gossip"}, "category"),
    ],
)
def test_a_bad_card_is_refused_with_a_message_and_nothing_is_kept(chain, client, fields, field):
    r = post_card(client, **fields)
    assert r.status_code == 422 and f'data-field="{field}"' in r.content.decode()
    assert not FeedbackCard.objects.exists() and not Customer.objects.exists()


def test_cards_are_rate_limited_like_the_ticket_form(chain, client, settings):
    settings.KEFU_PORTAL_SUBMISSIONS_PER_HOUR = 2
    assert [post_card(client).status_code for _ in range(3)] == [302, 302, 429]
    assert FeedbackCard.objects.count() == 2


def test_the_inbox_is_for_store_managers_and_above_within_their_scope(chain, users):
    sh1 = services.submit_card(store="SH001", category="complaint", text="收银台排队太久")
    sh2 = services.submit_card(store="SH002", category="praise", text="店员很热情")
    bj = services.submit_card(store="BJ001", category="other", text="停车不方便")

    def inbox(username):
        return set(selectors.card_list(users[username], view="new").values_list("pk", flat=True))

    assert inbox("manager_sh001") == {sh1.pk} and inbox("manager_bj001") == {bj.pk}
    assert inbox("region_east") == {sh1.pk, sh2.pk} and inbox("cs_manager") == {
        sh1.pk,
        sh2.pk,
        bj.pk,
    }
    assert (
        inbox("staff_sh001") == set() and inbox("cs_agent") == set() and inbox("trainer") == set()
    )
    with pytest.raises(NotFound):
        services.handle_card(actor=users["manager_bj001"], card_id=sh1.pk, note="已处理")


def test_a_manager_handles_a_card_once(chain, users):
    card = services.submit_card(store="SH001", category="suggestion", text="希望增加停车位")
    with pytest.raises(InvalidInput):
        services.handle_card(actor=users["manager_sh001"], card_id=card.pk, note="")
    services.handle_card(actor=users["manager_sh001"], card_id=card.pk, note="已与物业沟通")
    card.refresh_from_db()
    assert card.handled_by == users["manager_sh001"] and card.handling_note == "已与物业沟通"
    assert not selectors.card_list(users["manager_sh001"], view="new").exists()
    with pytest.raises(Conflict):
        services.handle_card(actor=users["manager_sh001"], card_id=card.pk, note="again")


def test_a_signed_card_becomes_a_ticket_an_anonymous_one_cannot(chain, users):
    signed = services.submit_card(
        store="SH001",
        category="complaint",
        text="送货师傅态度很差",
        name="李娜",
        phone="13812345678",
        gender="female",
        consent=True,
    )
    ticket = services.card_to_ticket(actor=users["manager_sh001"], card_id=signed.pk)
    assert (
        ticket.type == "complaint"
        and ticket.customer == signed.customer
        and ticket.store.code == "SH001"
    )
    assert ticket.channel == "web" and "送货师傅态度很差" in ticket.description
    assert ticket.events.filter(kind="feedback_card", data__card=signed.pk).exists()
    signed.refresh_from_db()
    assert signed.ticket == ticket and signed.handled_at is not None
    with pytest.raises(Conflict):
        services.card_to_ticket(actor=users["manager_sh001"], card_id=signed.pk)
    anonymous = services.submit_card(store="SH001", category="complaint", text="太吵了")
    with pytest.raises(Conflict):
        services.card_to_ticket(actor=users["manager_sh001"], card_id=anonymous.pk)
    assert Ticket.objects.count() == 1
