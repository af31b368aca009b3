"""How a message leaves: the provider backends, each real HTTP code against the provider's
documented API (httpx), and the console backend that `make run` uses with no account.

- SMS: Aliyun SMS (短信服务) ``SendSms``, an RPC API signed with HMAC-SHA1 (SignatureVersion 1.0):
  the sorted, percent-encoded query is signed as ``GET&%2F&<encoded query>`` with the key
  ``AccessKeySecret + "&"``.
- WeChat Official Account: customer-service messages (``cgi-bin/message/custom/send``) within
  48 hours of the customer's last message, template messages (``cgi-bin/message/template/send``)
  after it, with the access token from ``cgi-bin/token`` cached until shortly before it expires.
- E-mail: Django's mail backends (plain + HTML, Message-ID / In-Reply-To so clients thread).

Every backend returns the provider's message id (or "") and raises ProviderError on refusal.
Logs carry the delivery id and a masked address, never the address or the text.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import html
import json
import logging
import re
import sys
import uuid
from urllib.parse import quote

from django.conf import settings
from django.core import mail as django_mail
from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger("kefu.channels")

# httpx is imported where a request is sent: at the top of the module it cost every process
# 5-16 MB (with its command-line extras) that most never use (issue 14).
TIMEOUT = 10.0  # seconds, each request


class ProviderError(Exception):
    """The provider refused or could not be reached; ``retry`` says whether trying again may help."""

    def __init__(self, code: str, retry: bool = True):
        super().__init__(code)
        self.code = code
        self.retry = retry


# ---- console (the embedded default) -------------------------------------------------------------


def console_send(delivery) -> str:
    """No provider configured: the message goes to the delivery log (already there) and the
    console, so a developer sees what the customer would have received."""
    print(
        f"[kefu channels] {delivery.channel} → {delivery.to_masked} ({delivery.template})\n"
        f"{delivery.subject + chr(10) if delivery.subject else ''}{delivery.body}\n",
        file=sys.stdout,
        flush=True,
    )
    return f"console-{delivery.pk}"


# ---- Aliyun SMS ---------------------------------------------------------------------------------


def percent_encode(value: str) -> str:
    """Aliyun's encoding: RFC 3986 unreserved characters kept, space as %20, UTF-8 bytes %XY."""
    return quote(str(value), safe="-_.~")


def aliyun_signature(params: dict, secret: str, method: str = "GET") -> str:
    """Signature of an Aliyun RPC request (SignatureMethod HMAC-SHA1, SignatureVersion 1.0)."""
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items())
    )
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(
        (secret + "&").encode(), string_to_sign.encode("utf-8"), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def aliyun_sms_send(delivery) -> str:
    """SendSms (API version 2017-05-25): the template code registered with Aliyun for this
    template, its parameters as JSON; answers ``{"Code": "OK", "BizId": …}``."""
    import json

    from .rules import load_rules

    codes = load_rules()["aliyun_template_codes"]
    overrides = json.loads(settings.KEFU_ALIYUN_SMS_TEMPLATE_CODES or "{}")
    params = {
        "AccessKeyId": settings.KEFU_ALIYUN_ACCESS_KEY_ID,
        "Action": "SendSms",
        "Format": "JSON",
        "RegionId": "cn-hangzhou",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
        "PhoneNumbers": delivery.to,
        "SignName": settings.KEFU_ALIYUN_SMS_SIGN_NAME,
        "TemplateCode": overrides.get(delivery.template) or codes[delivery.template],
        "TemplateParam": json.dumps(
            {k: str(v) for k, v in delivery.params.items()}, ensure_ascii=False
        ),
        "OutId": str(delivery.pk),
    }
    params["Signature"] = aliyun_signature(params, settings.KEFU_ALIYUN_ACCESS_KEY_SECRET)
    import httpx

    try:
        response = httpx.get(settings.KEFU_ALIYUN_SMS_ENDPOINT, params=params, timeout=TIMEOUT)
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(f"aliyun:{type(exc).__name__}") from None
    code = answer.get("Code", "")
    if code != "OK":
        # Throttling and service errors may pass; a bad number, template or signature will not.
        retry = code.startswith(("isv.BUSINESS_LIMIT_CONTROL", "isp.", "Throttling"))
        raise ProviderError(f"aliyun:{code}"[:100], retry=retry)
    return answer.get("BizId", "")


# ---- WeChat Official Account ----------------------------------------------------------------------

TOKEN_CACHE_KEY = "channels:wechat:access_token"
EXPIRED_TOKEN = {40001, 40014, 42001}


def wechat_access_token(*, refresh: bool = False) -> str:
    """The account's access_token (cgi-bin/token), cached until 5 minutes before it expires:
    WeChat limits how often a token may be fetched, and a new one invalidates the old."""
    if not refresh:
        token = cache.get(TOKEN_CACHE_KEY)
        if token:
            return token
    import httpx

    try:
        answer = httpx.get(
            settings.KEFU_WECHAT_API_BASE.rstrip("/") + "/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": settings.KEFU_WECHAT_APPID,
                "secret": settings.KEFU_WECHAT_SECRET,
            },
            timeout=TIMEOUT,
        ).json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(f"wechat:{type(exc).__name__}") from None
    token = answer.get("access_token")
    if not token:
        raise ProviderError(f"wechat:{answer.get('errcode')}", retry=False)
    expires = int(answer.get("expires_in", 7200))
    cache.set(TOKEN_CACHE_KEY, token, timeout=max(60, expires - 300))
    return token


def _wechat_post(path: str, payload: dict) -> dict:
    """POST one JSON call to the account's API with the cached token; an expired token is
    fetched again once. Returns the answer when errcode is 0, else raises ProviderError."""
    url = settings.KEFU_WECHAT_API_BASE.rstrip("/") + path
    for refresh in (False, True):
        token = wechat_access_token(refresh=refresh)
        import httpx

        try:
            answer = httpx.post(
                url,
                params={"access_token": token},
                content=_json_utf8(payload),
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=TIMEOUT,
            ).json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderError(f"wechat:{type(exc).__name__}") from None
        errcode = int(answer.get("errcode", 0))
        if errcode == 0:
            return answer
        if errcode in EXPIRED_TOKEN and not refresh:
            cache.delete(TOKEN_CACHE_KEY)
            continue
        raise ProviderError(f"wechat:{errcode}", retry=errcode in (-1, 45009))
    raise ProviderError("wechat:token", retry=True)


def wechat_media(media_id: str) -> bytes:
    """Download a picture a user sent the account (cgi-bin/media/get; WeChat keeps it 3 days),
    streamed and refused above the attachment bound. An error answers JSON with an errcode; an
    expired token is fetched again once."""
    url = settings.KEFU_WECHAT_API_BASE.rstrip("/") + "/cgi-bin/media/get"
    limit = settings.KEFU_ATTACHMENT_MAX_BYTES
    for refresh in (False, True):
        token = wechat_access_token(refresh=refresh)
        import httpx

        try:
            with httpx.stream(
                "GET", url, params={"access_token": token, "media_id": media_id}, timeout=TIMEOUT
            ) as answer:
                if "json" not in answer.headers.get("content-type", ""):
                    data = b""
                    for chunk in answer.iter_bytes():
                        data += chunk
                        if len(data) > limit:
                            raise ProviderError("wechat:media-too-large", retry=False)
                    return data
                errcode = int(json.loads(answer.read()).get("errcode", -1))
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderError(f"wechat:{type(exc).__name__}") from None
        if errcode in EXPIRED_TOKEN and not refresh:
            cache.delete(TOKEN_CACHE_KEY)
            continue
        raise ProviderError(f"wechat:{errcode}", retry=False)
    raise ProviderError("wechat:token", retry=True)


WINDOW_CLOSED = "wechat:45015"


def cs_window_open(openid: str) -> bool:
    """Whether the customer wrote to the account within the customer-service window (48 hours
    by default, rules.v1.json): only then does WeChat accept a customer-service message."""
    from .models import CustomerChannel, Medium
    from .rules import load_rules

    last = (
        CustomerChannel.objects.filter(channel=Medium.WECHAT, address=openid)
        .values_list("last_inbound_at", flat=True)
        .first()
    )
    hours = load_rules().get("wechat_cs_window_hours", 48)
    return last is not None and timezone.now() - last < dt.timedelta(hours=hours)


def wechat_send(delivery) -> str:
    """A text customer-service message (客服消息) to the customer's openid while the 48-hour
    window is open; after it (or when WeChat answers 45015) a template message (模板消息)."""
    if not cs_window_open(delivery.to):
        return wechat_template_send(delivery)
    payload = {"touser": delivery.to, "msgtype": "text", "text": {"content": delivery.body}}
    try:
        answer = _wechat_post("/cgi-bin/message/custom/send", payload)
    except ProviderError as exc:
        if exc.code == WINDOW_CLOSED:
            return wechat_template_send(delivery)
        raise
    return answer.get("msgid", "") and str(answer["msgid"])


# The longest value WeChat takes per keyword type (模板消息 data rules); longer is cut.
KEYWORD_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "time": 30, "name": 10}
URL = re.compile(r"https?://\S+")
TIME_CHARS = set("0123456789-:~ 年月日")


def _keyword_value(key: str, value: str) -> str:
    kind = key.rstrip("0123456789")
    limit = KEYWORD_LIMITS.get(kind, 20)
    if kind == "time":
        # A time keyword takes dates and times only, a period joined by "~" (上午 is refused).
        value = "".join(c for c in value.replace("–", "~") if c in TIME_CHARS)
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def wechat_template_payload(delivery) -> dict:
    """The body of a template message for a delivery (rules.v1.json → wechat_templates)."""
    import json

    from .rules import load_rules

    spec = load_rules()["wechat_templates"].get(delivery.template)
    if not spec or not isinstance(spec, dict):
        raise ProviderError("wechat:no_template", retry=False)
    overrides = json.loads(settings.KEFU_WECHAT_TEMPLATE_IDS or "{}")
    params = {k: str(v) for k, v in delivery.params.items()}
    values = _FormatBlank(params)
    data = {
        key: {"value": _keyword_value(key, text.format_map(values)) or "—"}
        for key, text in spec["data"].items()
    }
    url = params.get("link", "")
    if spec.get("url") == "survey" and (found := URL.search(params.get("survey", ""))):
        url = found.group(0)
    payload = {
        "touser": delivery.to,
        "template_id": overrides.get(delivery.template) or spec["template_id"],
        "data": data,
    }
    if url:
        payload["url"] = url
    return payload


class _FormatBlank(dict):
    def __missing__(self, key):
        return ""


def wechat_template_send(delivery) -> str:
    """A template message (cgi-bin/message/template/send): reaches a follower outside the
    customer-service window; answers ``{"errcode": 0, "msgid": …}``."""
    payload = wechat_template_payload(delivery)
    delivery.backend = "wechat_template"
    answer = _wechat_post("/cgi-bin/message/template/send", payload)
    return str(answer.get("msgid", ""))


def _json_utf8(payload) -> bytes:
    # WeChat shows \uXXXX escapes literally: Chinese must go as UTF-8.
    import json

    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


# ---- e-mail -------------------------------------------------------------------------------------


def mail_configured() -> bool:
    return (getattr(settings, "EMAIL_HOST", "") or "") not in ("", "localhost")


def email_send(delivery) -> str:
    """Plain + HTML through Django's mail backend; the Message-ID is ours (stored on the
    delivery) and In-Reply-To / References point at the customer's last mail, so clients thread."""
    headers = {"Message-ID": delivery.message_id}
    reply_to_id = delivery.params.get("in_reply_to")
    if reply_to_id:
        headers["In-Reply-To"] = reply_to_id
        headers["References"] = reply_to_id
    if settings.KEFU_SUPPORT_EMAIL:
        headers["Reply-To"] = settings.KEFU_SUPPORT_EMAIL
    if delivery.params.get("optout"):
        # RFC 2369 / RFC 8058: mail clients show an "unsubscribe" button that POSTs here.
        from .optout import link_for

        headers["List-Unsubscribe"] = f"<{link_for(delivery.ticket)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = django_mail.EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body,
        from_email=settings.KEFU_SUPPORT_EMAIL or None,
        to=[delivery.to],
        headers=headers,
    )
    escaped = html.escape(delivery.body).replace("\n", "<br>\n")
    message.attach_alternative(
        f'<!doctype html><html lang="zh-Hans"><body><p>{escaped}</p></body></html>', "text/html"
    )
    try:
        message.send()
    except OSError as exc:
        raise ProviderError(f"smtp:{type(exc).__name__}") from None
    return delivery.message_id


def backend_for(channel: str):
    """(name, send function) of the backend configured for a channel; console when none is."""
    if channel == "sms" and settings.KEFU_SMS_BACKEND == "aliyun":
        return "aliyun", aliyun_sms_send
    if channel == "wechat" and settings.KEFU_WECHAT_APPID and settings.KEFU_WECHAT_SECRET:
        return "wechat", wechat_send
    if channel == "email" and mail_configured():
        return "email", email_send
    return "console", console_send
