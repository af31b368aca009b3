"""Opt-out (退订): the survey and 回访 messages carry a signed one-click link to a Chinese page
on the portal; it withdraws consent (one event on the ticket), and from then on nothing that
needs consent goes out — on any channel — while service notices still do."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from kefu.channels import optout
from kefu.channels.models import Delivery
from kefu.customers.models import Customer
from kefu.tickets import services as ticket_services
from kefu.tickets.models import TicketEvent
from kefu.tickets.timeline import record_event
from tests.factories import CustomerFactory, open_ticket

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
LINK = __import__("re").compile(r"https://kefu\.example\.cn(/optout/[^/\s]+/)")


@pytest.fixture(autouse=True)
def public(settings):
    settings.KEFU_PUBLIC_URL = "https://kefu.example.cn"
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH), tick=False):
        yield


def resolve(users, ticket, capture):
    with capture(execute=True):
        ticket_services.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    return Delivery.objects.filter(ticket=ticket, template="resolved").last()


def followup(ticket, capture):
    with capture(execute=True):
        record_event(ticket, "followup_created", None, body="回访", due_on="2026-05-08")
    return Delivery.objects.filter(ticket=ticket, template="followup_scheduled").last()


def test_the_sms_link_unsubscribes_in_one_click_and_every_later_message_respects_it(
    chain, users, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(phone="13912345678", consent_contact=True, consent_marketing=True)
    ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    delivery = resolve(users, ticket, django_capture_on_commit_callbacks)
    assert "/survey/" in delivery.body and "退订" in delivery.body
    path = LINK.search(delivery.body).group(1)
    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and "不再接收我们的回访、满意度调查和优惠信息" in page.text
    assert Customer.objects.get(
        pk=customer.pk
    ).consent_contact  # a GET (a link preview) changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "退订成功" in done.text
    customer.refresh_from_db()
    assert (customer.consent_contact, customer.consent_marketing) == (False, False)
    assert TicketEvent.objects.filter(ticket=ticket, kind="opted_out").count() == 1
    client.post(path)  # twice: nothing more
    assert TicketEvent.objects.filter(ticket=ticket, kind="opted_out").count() == 1

    # From now on: no 回访 notice, no survey link — on SMS or any other channel …
    assert followup(ticket, django_capture_on_commit_callbacks) is None
    other = open_ticket(chain["stores"]["SH001"], customer=customer)
    later = resolve(users, other, django_capture_on_commit_callbacks)
    assert "/survey/" not in later.body and "退订" not in later.body
    customer.phone, customer.email = None, "li@example.cn"
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        third = open_ticket(chain["stores"]["SH001"], customer=customer)
    by_mail = resolve(users, third, django_capture_on_commit_callbacks)
    assert by_mail.channel == "email" and "/survey/" not in by_mail.body
    assert followup(third, django_capture_on_commit_callbacks) is None
    # … while service notices about their tickets still go out.
    assert (
        by_mail.status == "sent"
        and Delivery.objects.filter(ticket=third, template="ticket_received").exists()
    )


def test_mail_carries_a_one_click_list_unsubscribe_header(
    chain, users, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    customer = CustomerFactory(phone=None, email="wang@example.cn")
    ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    mail.outbox.clear()
    followup(ticket, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = LINK.search(header).group(1)
    # what a mail client does for RFC 8058: a POST with no cookie and no CSRF token
    answer = Client(enforce_csrf_checks=True).post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    assert not Customer.objects.get(pk=customer.pk).consent_contact
    assert TicketEvent.objects.get(ticket=ticket, kind="opted_out").data["how"] == "one_click"


def test_a_forged_or_altered_link_is_refused_and_changes_nothing(chain):
    customer = CustomerFactory(phone="13912345678")
    ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    good = optout.token_for(ticket)
    for token in (good[:-2] + "xx", "abc", good.replace(good[3], "Z" if good[3] != "Z" else "Y")):
        answer = Client().post(f"/optout/{token}/")
        assert answer.status_code == 404 and "此链接无效" in answer.text
    assert Customer.objects.get(pk=customer.pk).consent_contact
    assert not TicketEvent.objects.filter(kind="opted_out").exists()
