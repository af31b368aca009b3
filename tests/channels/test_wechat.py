"""The WeChat Official Account endpoint: signature on GET and POST, a text message becomes a
ticket and the agent's reply is posted to the (local) customer-service API; binding by mobile
and SMS code; forged or malformed input changes nothing."""

import hashlib
import re
import time

import pytest
from django.core.cache import cache
from django.test import Client

from kefu.channels.models import CustomerChannel
from kefu.tickets.models import Ticket, TicketEvent
from tests.factories import CustomerFactory

from .providers import Server, WeChat

pytestmark = pytest.mark.django_db
TOKEN = "wxservertoken"


def signed(token=TOKEN, **extra):
    timestamp, nonce = str(int(time.time())), "n0nce"
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra}


def xml(content, openid="oUSER1", msg_id=None, kind="text"):
    msg_id = msg_id or str(time.time_ns())
    return (
        f"<xml><ToUserName><![CDATA[gh_kefu]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
        f"</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()


def send(body, **query):
    from urllib.parse import urlencode

    return Client().post(
        "/channels/wechat/?" + urlencode(query or signed()), data=body, content_type="text/xml"
    )


@pytest.fixture
def wx(settings):
    settings.KEFU_WECHAT_TOKEN = TOKEN
    cache.clear()


def test_verification_answers_echostr_only_when_signed(chain, wx):
    assert Client().get("/channels/wechat/", signed(echostr="abc123")).content == b"abc123"
    forged = Client().get("/channels/wechat/", signed(token="guess", echostr="abc123"))
    assert forged.status_code == 403


def test_text_message_becomes_a_ticket_and_the_reply_goes_to_the_customer_service_api(
    chain, users, wx, settings, django_capture_on_commit_callbacks
):
    from kefu.tickets import services as ticket_services

    with Server(WeChat) as server:
        settings.KEFU_WECHAT_APPID, settings.KEFU_WECHAT_SECRET = "wxAPP", "s3cret"
        settings.KEFU_WECHAT_API_BASE = server.url
        with django_capture_on_commit_callbacks(execute=True):
            answer = send(xml("空调不制冷，怎么办？"))
        assert answer.content == b"success"
        ticket = Ticket.objects.get(channel="social")
        assert ticket.description == "空调不制冷，怎么办？"
        with django_capture_on_commit_callbacks(execute=True):
            ticket_services.add_reply(
                actor=users["cs_agent"], ticket=ticket, body="您好，请告诉我们空调的型号。"
            )
        with django_capture_on_commit_callbacks(execute=True):
            send(xml("型号是KFR-35GW。"))
        texts = [r["text"]["content"] for r in server.state["requests"]]
    assert any("请告诉我们空调的型号" in t for t in texts)
    assert {r["touser"] for r in server.state["requests"]} == {"oUSER1"}
    assert Ticket.objects.count() == 1
    assert (
        TicketEvent.objects.get(ticket=ticket, kind="customer_message").body == "型号是KFR-35GW。"
    )


def test_the_same_msgid_is_taken_once(chain, wx):
    send(xml("你好", msg_id="42"))
    send(xml("你好", msg_id="42"))
    assert Ticket.objects.count() == 1


def test_forged_or_malformed_input_changes_nothing(chain, wx):
    assert send(xml("你好"), **signed(token="guess")).status_code == 403
    assert send(b"<xml><FromUserName>x</Fro").status_code == 400
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><FromUserName>&a;</FromUserName><MsgType>text</MsgType></xml>'
    assert send(bomb).status_code == 400
    assert Ticket.objects.count() == 0


def test_binding_a_wechat_user_to_a_customer_by_mobile_and_code(chain, wx, capsys):
    customer = CustomerFactory(phone="13912345678")
    send(xml("绑定 13912345678", openid="oBIND"))
    code = re.search(r"验证码是(\d{6})", capsys.readouterr().out).group(1)
    send(xml("000000" if code != "000000" else "111111", openid="oBIND"))
    assert not CustomerChannel.objects.filter(customer=customer, channel="wechat").exists()
    send(xml(code, openid="oBIND"))
    assert CustomerChannel.objects.get(customer=customer, channel="wechat").address == "oBIND"
    assert Ticket.objects.count() == 0  # binding messages are not tickets


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def image_xml(media_id, openid="oPIC", msg_id=None):
    msg_id = msg_id or str(time.time_ns())
    return (
        f"<xml><ToUserName><![CDATA[gh_kefu]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
        f"</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[image]]></MsgType>"
        f"<PicUrl><![CDATA[http://mmbiz.example/pic]]></PicUrl><MediaId><![CDATA[{media_id}]]>"
        f"</MediaId><MsgId>{msg_id}</MsgId></xml>"
    ).encode()


def test_a_picture_sent_on_wechat_is_kept_on_the_ticket(
    chain, wx, settings, django_capture_on_commit_callbacks
):
    """The picture is fetched from media/get after the answer and kept as an attachment (its
    type read from its bytes); one WeChat no longer has is noted for the agent."""
    from kefu.tickets.models import Attachment

    with Server(WeChat, media={"MEDIA1": PNG}) as server:
        settings.KEFU_WECHAT_APPID, settings.KEFU_WECHAT_SECRET = "wxAPP", "s3cret"
        settings.KEFU_WECHAT_API_BASE = server.url
        with django_capture_on_commit_callbacks(execute=True):
            assert send(image_xml("MEDIA1")).content == b"success"
        ticket = Ticket.objects.get(channel="social")
        kept = Attachment.objects.get(ticket=ticket)
        assert kept.content_type == "image/png" and kept.size == len(PNG)
        assert "mmbiz" not in ticket.description  # WeChat's temporary link is not kept
        with django_capture_on_commit_callbacks(execute=True):
            send(image_xml("GONE"))
    assert Ticket.objects.count() == 1 and Attachment.objects.filter(ticket=ticket).count() == 1
    note = TicketEvent.objects.filter(ticket=ticket, kind="note").latest("id")
    assert "图片未能取回" in note.body
