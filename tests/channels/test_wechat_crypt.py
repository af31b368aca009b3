"""WeChat encrypted mode (安全模式): the documented test vector of 消息加解密说明 (token
"spamtest", EncodingAESKey "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", AppId
"wx2c2769f8efd9abc2") decrypts and its msg_signature checks; a message encrypted the way
WeChat does becomes a ticket through the real endpoint; a forged or tampered one changes nothing."""

import hashlib
import time
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client

from kefu.channels import wxcrypt
from kefu.tickets.models import Ticket

KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx2c2769f8efd9abc2"
TOKEN = "spamtest"
VECTOR = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQ"
    "HFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tED"
    "YsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZb"
    "Gpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5"
    "rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


def test_the_documented_vector_decrypts_and_its_signature_checks():
    assert (
        wxcrypt.msg_signature(TOKEN, "1409735669", "1320562132", VECTOR)
        == "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
    )
    plain = wxcrypt.decrypt(VECTOR, encoding_aes_key=KEY, appid=APPID).decode()
    assert "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>" in plain
    assert "<Content><![CDATA[abcdteT]]></Content>" in plain
    with pytest.raises(wxcrypt.CryptError):
        wxcrypt.decrypt(VECTOR, encoding_aes_key=KEY, appid="wxSOMEONEELSE")


def test_round_trip_and_tampering():
    message = "<xml><Content><![CDATA[冰箱不制冷]]></Content></xml>".encode()
    encrypted = wxcrypt.encrypt(message, encoding_aes_key=KEY, appid=APPID)
    assert wxcrypt.decrypt(encrypted, encoding_aes_key=KEY, appid=APPID) == message
    raw = bytearray(__import__("base64").b64decode(encrypted))
    raw[-1] ^= 0x55
    with pytest.raises(wxcrypt.CryptError):
        wxcrypt.decrypt(
            __import__("base64").b64encode(bytes(raw)).decode(), encoding_aes_key=KEY, appid=APPID
        )
    with pytest.raises(wxcrypt.CryptError):
        wxcrypt.aes_key("short")


def _post(body: bytes, *, encrypted: str, msg_signature=None):
    timestamp, nonce = str(int(time.time())), "n0nce"
    signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
    query = {
        "signature": signature,
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": "oUSERaes",
        "encrypt_type": "aes",
        "msg_signature": msg_signature or wxcrypt.msg_signature(TOKEN, timestamp, nonce, encrypted),
    }
    return Client().post(
        "/channels/wechat/?" + urlencode(query), data=body, content_type="text/xml"
    )


@pytest.mark.django_db
def test_an_encrypted_message_becomes_a_ticket_and_forgeries_change_nothing(chain, settings):
    settings.KEFU_WECHAT_TOKEN, settings.KEFU_WECHAT_AES_KEY = TOKEN, KEY
    settings.KEFU_WECHAT_APPID = APPID
    cache.clear()
    inner = (
        "<xml><ToUserName><![CDATA[gh_kefu]]></ToUserName><FromUserName><![CDATA[oUSERaes]]>"
        "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[洗衣机漏水，请派师傅]]></Content><MsgId>77001</MsgId></xml>"
    ).encode()
    encrypted = wxcrypt.encrypt(inner, encoding_aes_key=KEY, appid=APPID)
    envelope = (
        f"<xml><ToUserName><![CDATA[gh_kefu]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    ).encode()
    # forged: a wrong msg_signature; another account's AppId inside; not Base64
    assert _post(envelope, encrypted=encrypted, msg_signature="0" * 40).status_code == 400
    other = wxcrypt.encrypt(inner, encoding_aes_key=KEY, appid="wxOTHER")
    other_env = envelope.replace(encrypted.encode(), other.encode())
    assert _post(other_env, encrypted=other).status_code == 400
    bad_env = envelope.replace(encrypted.encode(), b"!!notbase64!!")
    assert _post(bad_env, encrypted="!!notbase64!!").status_code == 400
    assert Ticket.objects.count() == 0
    # without the key the envelope cannot be read: refused, nothing taken
    settings.KEFU_WECHAT_AES_KEY = ""
    assert _post(envelope, encrypted=encrypted).status_code == 400
    settings.KEFU_WECHAT_AES_KEY = KEY
    answer = _post(envelope, encrypted=encrypted)
    assert answer.status_code == 200 and answer.content == b"success"
    ticket = Ticket.objects.get()
    assert ticket.channel == "social" and "洗衣机漏水" in ticket.description
