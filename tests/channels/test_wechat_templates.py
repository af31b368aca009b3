"""WeChat template messages (模板消息) for notices outside the 48-hour customer-service window:
the real backend posts cgi-bin/message/template/send to a local server that implements the
documented request (token, template_id, typed keyword values) and answer."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from kefu.channels.models import CustomerChannel, Delivery
from kefu.feedback.models import Survey
from kefu.tickets import services as ticket_services
from tests.factories import CustomerFactory, open_ticket

from .providers import Server, WeChat

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH)
pytestmark = pytest.mark.django_db
IDS = {"KEFU_TPL_RECEIVED", "KEFU_TPL_VISIT", "KEFU_TPL_RESOLVED", "KEFU_TPL_REPLY"}


@pytest.fixture
def wx(settings):
    cache.clear()
    with time_machine.travel(NOW, tick=False), Server(WeChat, template_ids=IDS) as server:
        settings.KEFU_WECHAT_APPID, settings.KEFU_WECHAT_SECRET = "wxAPP", "s3cret"
        settings.KEFU_WECHAT_API_BASE = server.url
        settings.KEFU_PUBLIC_URL = "https://kefu.example.cn"
        yield server


def follower(last_wrote):
    customer = CustomerFactory(phone="13912345678")
    CustomerChannel.objects.create(
        customer=customer, channel="wechat", address="oFOLLOWER", last_inbound_at=last_wrote
    )
    return customer


def test_visit_booked_after_the_window_goes_as_a_template_message(
    chain, users, wx, django_capture_on_commit_callbacks
):
    from kefu.aftersales import services as aftersales
    from tests.factories import purchase_bought, technician

    technician(users["technician"], skills=("refrigerator",), regions=("east",))
    purchase = purchase_bought(90)
    customer = follower(NOW - dt.timedelta(days=3))
    purchase.customer = customer
    purchase.save()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(chain["stores"]["SH001"], customer=customer, purchase_id=purchase.pk)
    with django_capture_on_commit_callbacks(execute=True):
        aftersales.dispatch_visit(
            actor=users["cs_agent"],
            ticket=ticket,
            kind="repair",
            date=dt.date(2026, 5, 7),
            window="09-12",
            technician="technician",
        )
    assert wx.state["requests"] == []  # no customer-service message was even tried
    received, booked = wx.state["templates_sent"]
    assert received["template_id"] == "KEFU_TPL_RECEIVED"
    assert booked["touser"] == "oFOLLOWER" and booked["template_id"] == "KEFU_TPL_VISIT"
    assert booked["data"]["character_string1"]["value"] == ticket.number
    assert booked["data"]["time2"]["value"] == "2026-05-07 09:00~12:00"
    assert (
        booked["url"].startswith("https://kefu.example.cn/")
        and ticket.tracking_token in (booked["url"])
    )
    delivery = Delivery.objects.get(ticket=ticket, template="visit_booked")
    assert (delivery.status, delivery.backend) == ("sent", "wechat_template")
    assert delivery.provider_id.isdigit()


def test_resolved_with_the_survey_link_opens_the_survey(
    chain, users, wx, django_capture_on_commit_callbacks
):
    customer = follower(NOW - dt.timedelta(hours=49))
    ticket = open_ticket(chain["stores"]["SH001"], customer=customer, subject="冰箱" * 30)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    [sent] = wx.state["templates_sent"]
    survey = Survey.objects.get(ticket=ticket)
    assert sent["template_id"] == "KEFU_TPL_RESOLVED"
    assert sent["url"] == f"https://kefu.example.cn/survey/{survey.token}/"
    assert len(sent["data"]["thing2"]["value"]) <= 20  # a long subject is cut to the rule
    assert Delivery.objects.get(ticket=ticket, template="resolved").status == "sent"


def test_inside_the_window_a_customer_service_message_and_45015_falls_back(
    chain, users, wx, django_capture_on_commit_callbacks
):
    customer = follower(NOW - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    assert len(wx.state["requests"]) == 1 and "templates_sent" not in wx.state
    # WeChat says the window is closed after all (the customer's clock, a deleted chat …)
    wx.state["window_closed"] = {"oFOLLOWER"}
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.add_reply(actor=users["cs_agent"], ticket=ticket, body="您好，已为您安排。")
    [sent] = wx.state["templates_sent"]
    assert sent["template_id"] == "KEFU_TPL_REPLY"
    assert sent["data"]["thing2"]["value"] == "您好，已为您安排。"
    reply = Delivery.objects.get(ticket=ticket, template="public_reply")
    assert (reply.status, reply.backend) == ("sent", "wechat_template")


def test_a_template_the_account_lacks_fails_without_retry_and_ids_come_from_settings(
    chain, users, wx, settings, django_capture_on_commit_callbacks
):
    customer = follower(None)  # bound, but never wrote
    settings.KEFU_WECHAT_TEMPLATE_IDS = '{"ticket_received": "NOT-ON-THE-ACCOUNT"}'
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.status, delivery.error, delivery.attempts) == ("failed", "wechat:40037", 1)
    assert wx.state["templates_sent"][0]["template_id"] == "NOT-ON-THE-ACCOUNT"


def test_every_event_template_has_a_wechat_template():
    from kefu.channels.rules import load_rules

    rules = load_rules()
    for rule in rules["events"]:
        spec = rules["wechat_templates"][rule["template"]]
        assert spec["template_id"] and spec["data"] and spec["url"] in ("link", "survey")
