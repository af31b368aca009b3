"""The outbound pipeline end to end: a counter ticket with a mobile gets its tracking link by
SMS (quiet hours and consent honoured), through the real Aliyun and WeChat backends talking to
local servers that check the signature and the token."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from kefu.channels import services
from kefu.channels.models import CustomerChannel, Delivery
from kefu.tickets.models import TicketEvent
from tests.factories import CustomerFactory, open_ticket

from .providers import AliyunSms, Server, WeChat

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def opened(chain, capture, **customer):
    with capture(execute=True):
        return open_ticket(chain["stores"]["SH001"], customer=CustomerFactory(**customer))


@time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH), tick=False)
def test_counter_ticket_sends_tracking_link_by_sms_on_the_console(
    chain, django_capture_on_commit_callbacks, capsys
):
    ticket = opened(chain, django_capture_on_commit_callbacks, phone="13912345678", email="")
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.channel, delivery.template, delivery.status) == (
        "sms",
        "ticket_received",
        "sent",
    )
    assert ticket.tracking_token in delivery.body and ticket.number in delivery.body
    assert delivery.to_masked == "139****5678"
    out = capsys.readouterr().out
    assert "139****5678" in out and "13912345678" not in out
    event = TicketEvent.objects.get(ticket=ticket, kind="delivery")
    assert event.data["status"] == "sent" and "13912345678" not in event.body + str(event.data)
    assert event.body == "已通过短信向顾客（139****5678）发送受理通知。"


@time_machine.travel(dt.datetime(2026, 5, 6, 22, 30, tzinfo=SH), tick=False)
def test_quiet_hours_hold_the_sms_until_eight(chain, django_capture_on_commit_callbacks):
    ticket = opened(chain, django_capture_on_commit_callbacks, phone="13912345678", email="")
    delivery = Delivery.objects.get(ticket=ticket)
    assert delivery.status == "queued"
    assert delivery.not_before == dt.datetime(2026, 5, 7, 8, 0, tzinfo=SH)
    assert services.send_due() == 0
    with time_machine.travel(dt.datetime(2026, 5, 7, 8, 1, tzinfo=SH), tick=False):
        assert services.send_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent"


@time_machine.travel(dt.datetime(2026, 5, 6, 22, 30, tzinfo=SH), tick=False)
def test_sms_opt_out_falls_back_to_email_which_has_no_quiet_hours(
    chain, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(phone="13912345678", email="wang@example.cn")
    CustomerChannel.objects.create(customer=customer, channel="sms", opted_out=True)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.channel, delivery.status, delivery.to_masked) == (
        "email",
        "sent",
        "w***@example.cn",
    )
    assert delivery.subject.startswith(f"[{ticket.number}]")


def test_internal_note_reaches_nobody_public_reply_does(
    chain, users, django_capture_on_commit_callbacks
):
    from kefu.tickets import services as ticket_services

    ticket = opened(chain, django_capture_on_commit_callbacks, phone="13912345678")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.add_reply(
            actor=users["cs_agent"], ticket=ticket, body="内部备注", public=False
        )
    assert Delivery.objects.filter(ticket=ticket).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.add_reply(
            actor=users["cs_agent"], ticket=ticket, body="您好，已为您安排检修。"
        )
    assert list(Delivery.objects.filter(ticket=ticket).values_list("template", flat=True)) == [
        "ticket_received",
        "public_reply",
    ]


@time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH), tick=False)
def test_aliyun_sms_signed_as_documented(chain, settings, django_capture_on_commit_callbacks):
    with Server(AliyunSms, key_id="LTAIkey", secret="topsecret") as server:
        settings.KEFU_SMS_BACKEND = "aliyun"
        settings.KEFU_ALIYUN_ACCESS_KEY_ID = "LTAIkey"
        settings.KEFU_ALIYUN_ACCESS_KEY_SECRET = "topsecret"
        settings.KEFU_ALIYUN_SMS_SIGN_NAME = "客服中心"
        settings.KEFU_ALIYUN_SMS_ENDPOINT = server.url + "/"
        ticket = opened(chain, django_capture_on_commit_callbacks, phone="13912345678")
        delivery = Delivery.objects.get(ticket=ticket)
        assert delivery.status == "sent", delivery.error
        assert delivery.provider_id == "900619746936498440^0"
        sent = server.state["requests"][0]
        assert sent["PhoneNumbers"] == "13912345678"
        assert sent["TemplateCode"] == "SMS_KEFU_RECEIVED"
        assert ticket.number in sent["TemplateParam"]


@time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH), tick=False)
def test_aliyun_wrong_secret_fails_without_retry(
    chain, settings, django_capture_on_commit_callbacks
):
    with Server(AliyunSms, key_id="LTAIkey", secret="topsecret") as server:
        settings.KEFU_SMS_BACKEND = "aliyun"
        settings.KEFU_ALIYUN_ACCESS_KEY_ID = "LTAIkey"
        settings.KEFU_ALIYUN_ACCESS_KEY_SECRET = "forged"
        settings.KEFU_ALIYUN_SMS_SIGN_NAME = "客服中心"
        settings.KEFU_ALIYUN_SMS_ENDPOINT = server.url + "/"
        ticket = opened(chain, django_capture_on_commit_callbacks, phone="13912345678")
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.status, delivery.error, delivery.attempts) == (
        "failed",
        "aliyun:SignatureDoesNotMatch",
        1,
    )


@time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH), tick=False)
def test_aliyun_throttled_is_retried_with_backoff(
    chain, settings, django_capture_on_commit_callbacks
):
    with Server(AliyunSms, key_id="LTAIkey", secret="topsecret", throttle=1) as server:
        settings.KEFU_SMS_BACKEND = "aliyun"
        settings.KEFU_ALIYUN_ACCESS_KEY_ID = "LTAIkey"
        settings.KEFU_ALIYUN_ACCESS_KEY_SECRET = "topsecret"
        settings.KEFU_ALIYUN_SMS_SIGN_NAME = "客服中心"
        settings.KEFU_ALIYUN_SMS_ENDPOINT = server.url + "/"
        ticket = opened(chain, django_capture_on_commit_callbacks, phone="13912345678")
        delivery = Delivery.objects.get(ticket=ticket)
        assert delivery.status == "retrying"
        assert delivery.not_before == dt.datetime(2026, 5, 6, 10, 1, tzinfo=SH)
        with time_machine.travel(dt.datetime(2026, 5, 6, 10, 2, tzinfo=SH), tick=False):
            assert services.send_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    statuses = [
        e.data["status"] for e in TicketEvent.objects.filter(ticket=ticket, kind="delivery")
    ]
    assert statuses == ["retrying", "sent"]


@time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH), tick=False)
def test_wechat_customer_service_message_with_cached_token(
    chain, users, settings, django_capture_on_commit_callbacks
):
    from kefu.tickets import services as ticket_services

    cache.clear()
    with Server(WeChat) as server:
        settings.KEFU_WECHAT_APPID, settings.KEFU_WECHAT_SECRET = "wxAPP", "s3cret"
        settings.KEFU_WECHAT_API_BASE = server.url
        customer = CustomerFactory(phone="13912345678")
        CustomerChannel.objects.create(
            customer=customer,
            channel="wechat",
            address="oOPENID42",
            last_inbound_at=dt.datetime(2026, 5, 6, 9, 0, tzinfo=SH),  # wrote an hour ago
        )
        with django_capture_on_commit_callbacks(execute=True):
            ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
        with django_capture_on_commit_callbacks(execute=True):
            ticket_services.add_reply(
                actor=users["cs_agent"], ticket=ticket, body="您好，师傅明天上午上门。"
            )
        assert server.state["token_calls"] == 1  # the second message used the cached token
        bodies = [r["text"]["content"] for r in server.state["requests"]]
        assert ticket.number in bodies[0] and "师傅明天上午上门" in bodies[1]
        assert {r["touser"] for r in server.state["requests"]} == {"oOPENID42"}
        # The account's token was replaced elsewhere: 40001, fetched again once, sent.
        server.state["valid"] = "someone-else"
        with django_capture_on_commit_callbacks(execute=True):
            ticket_services.add_reply(actor=users["cs_agent"], ticket=ticket, body="您好。")
        assert server.state["token_calls"] == 2
    assert set(Delivery.objects.filter(ticket=ticket).values_list("status", flat=True)) == {"sent"}


def test_deliveries_api_masks_and_is_scoped(chain, api, django_capture_on_commit_callbacks):
    ticket = opened(chain, django_capture_on_commit_callbacks, phone="13912345678")
    answer = api("cs_agent").get(f"/api/v1/tickets/{ticket.pk}/deliveries")
    assert answer.status_code == 200
    [row] = answer.json()
    assert row["to"] == "139****5678" and row["channel"] == "sms"
    assert row["template"] == "ticket_received" and row["status"] in ("sent", "queued")
    assert "13912345678" not in answer.content.decode()
    assert api("staff_bj001").get(f"/api/v1/tickets/{ticket.pk}/deliveries").status_code == 404


@time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH), tick=False)
def test_visit_booked_on_the_way_and_done_reach_the_customer(
    chain, users, api, django_capture_on_commit_callbacks
):
    from kefu.aftersales import services as aftersales
    from tests.factories import purchase_bought, technician

    technician(users["technician"], skills=("refrigerator",), regions=("east",))
    purchase = purchase_bought(90)
    purchase.customer.phone = "13912345678"
    purchase.customer.save()
    ticket = open_ticket(
        chain["stores"]["SH001"], customer=purchase.customer, purchase_id=purchase.pk
    )
    with django_capture_on_commit_callbacks(execute=True):
        visit = aftersales.dispatch_visit(
            actor=users["cs_agent"],
            ticket=ticket,
            kind="repair",
            date=dt.date(2026, 5, 7),
            window="09-12",
            technician="technician",
        )
    booked = Delivery.objects.get(ticket=ticket, template="visit_booked")
    assert "2026-05-07" in booked.body and "09:00" in booked.body
    with django_capture_on_commit_callbacks(execute=True):
        answer = api("technician").post(f"/api/v1/aftersales/visits/{visit.pk}/on-the-way")
    assert answer.status_code == 200, answer.content
    assert Delivery.objects.filter(ticket=ticket, template="visit_on_the_way").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        aftersales.record_visit(actor=users["technician"], visit=visit, outcome="fixed")
    assert Delivery.objects.filter(ticket=ticket, template="visit_done").count() == 1


def test_deliveries_list_takes_the_same_queries_for_one_or_many(
    chain, api, django_capture_on_commit_callbacks
):
    ticket = opened(chain, django_capture_on_commit_callbacks, phone="13912345678")
    client = api("cs_agent")
    client.get(f"/api/v1/tickets/{ticket.pk}/deliveries")  # warm the token cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(f"/api/v1/tickets/{ticket.pk}/deliveries")
    for _ in range(20):
        Delivery.objects.create(
            ticket=ticket, channel="sms", to="13912345678", to_masked="139****5678", template="x"
        )
    with CaptureQueriesContext(connection) as many:
        answer = client.get(f"/api/v1/tickets/{ticket.pk}/deliveries")
    assert len(answer.json()) == 21
    assert len(many) == len(one)


@pytest.mark.django_db(transaction=True)
def test_a_message_is_composed_before_the_transaction_that_writes_it(chain, monkeypatch):
    """Only the delivery's row is written in a transaction: on SQLite a writer holds the
    database for its whole transaction, and the reads and the rendering took two thirds of it
    (issue 14)."""
    from django.db import connection

    seen = []
    real = services.contact_of

    def contact_of(customer):
        seen.append(connection.in_atomic_block)
        return real(customer)

    monkeypatch.setattr(services, "contact_of", contact_of)
    customer = CustomerFactory(phone="13912345678", email="")
    ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    assert seen == [False]  # composed after the ticket's commit, before its own transaction
    assert Delivery.objects.filter(ticket=ticket, template="ticket_received").count() == 1
