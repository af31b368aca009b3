"""Local HTTP servers speaking the providers' documented protocols, for the real backends to
talk to: Aliyun SMS SendSms (RPC, HMAC-SHA1 signature checked independently of the backend's
code) and the WeChat Official Account token, customer-service and template message APIs."""

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit


def _enc(value: str) -> str:
    # The documented rule: URLEncoder, then + → %20, * → %2A, %7E → ~.
    from urllib.parse import quote_plus

    return quote_plus(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


class Server:
    def __init__(self, handler_cls, **state):
        self.state = {"requests": [], **state}
        handler = type("H", (handler_cls,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Base(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, payload, status=200):
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class AliyunSms(_Base):
    """GET /?Action=SendSms&…&Signature=… — checks the signature with the account's secret."""

    def do_GET(self):
        query = urlsplit(self.path).query
        params = dict(parse_qsl(query, keep_blank_values=True))
        self.state["requests"].append(params)
        signature = params.pop("Signature", "")
        canonical = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()))
        to_sign = "GET&" + _enc("/") + "&" + _enc(canonical)
        expected = base64.b64encode(
            hmac.new((self.state["secret"] + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if params.get("AccessKeyId") != self.state["key_id"]:
            return self.answer({"Code": "InvalidAccessKeyId.NotFound", "Message": "x"}, 404)
        if not hmac.compare_digest(signature, expected):
            return self.answer({"Code": "SignatureDoesNotMatch", "Message": "bad"}, 400)
        for name in ("SignatureNonce", "Timestamp", "PhoneNumbers", "SignName", "TemplateCode"):
            if not params.get(name):
                return self.answer({"Code": "MissingParameter", "Message": name}, 400)
        if self.state.get("throttle", 0) > 0:
            self.state["throttle"] -= 1
            return self.answer({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit"})
        self.answer(
            {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "R1"}
        )


class WeChat(_Base):
    """GET /cgi-bin/token and POST /cgi-bin/message/custom/send?access_token=…"""

    def do_GET(self):
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query))
        if url.path == "/cgi-bin/media/get":
            return self.media_get(params)
        if url.path != "/cgi-bin/token":
            return self.answer({"errcode": 404}, 404)
        self.state["token_calls"] = self.state.get("token_calls", 0) + 1
        if params.get("appid") != "wxAPP" or params.get("secret") != "s3cret":
            return self.answer({"errcode": 40013, "errmsg": "invalid appid"})
        token = f"TOKEN{self.state['token_calls']}"
        self.state["valid"] = token
        self.answer({"access_token": token, "expires_in": 7200})

    def do_POST(self):
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query))
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        if url.path == "/cgi-bin/message/template/send":
            return self.template_send(params, body)
        self.state["requests"].append(body)
        if url.path != "/cgi-bin/message/custom/send":
            return self.answer({"errcode": 404}, 404)
        if params.get("access_token") != self.state.get("valid"):
            return self.answer({"errcode": 40001, "errmsg": "invalid credential"})
        if body.get("msgtype") != "text" or not body.get("touser"):
            return self.answer({"errcode": 40008, "errmsg": "invalid message type"})
        if body["touser"] in self.state.get("window_closed", ()):
            return self.answer({"errcode": 45015, "errmsg": "response out of time limit"})
        self.answer({"errcode": 0, "errmsg": "ok"})

    def media_get(self, params):
        """GET /cgi-bin/media/get?access_token=…&media_id=…: the file's bytes, or JSON with an
        errcode (40001 bad token, 40007 invalid media_id)."""
        if params.get("access_token") != self.state.get("valid"):
            return self.answer({"errcode": 40001, "errmsg": "invalid credential"})
        data = self.state.get("media", {}).get(params.get("media_id"))
        if data is None:
            return self.answer({"errcode": 40007, "errmsg": "invalid media_id"})
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Disposition", 'attachment; filename="x.jpg"')
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # Keyword types of template data and their longest value (模板消息 rules).
    LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "time": 30}

    def template_send(self, params, body):
        """POST /cgi-bin/message/template/send: {touser, template_id, url?, data: {kw: {value}}}
        → {errcode: 0, errmsg: "ok", msgid}; 40037 for a template id the account lacks, 47003
        for a keyword value that breaks its type's rule."""
        self.state.setdefault("templates_sent", []).append(body)
        if params.get("access_token") != self.state.get("valid"):
            return self.answer({"errcode": 40001, "errmsg": "invalid credential"})
        if not body.get("touser"):
            return self.answer({"errcode": 40003, "errmsg": "invalid openid"})
        if body.get("template_id") not in self.state.get("template_ids", ()):
            return self.answer({"errcode": 40037, "errmsg": "invalid template_id"})
        data = body.get("data")
        if not isinstance(data, dict) or not data:
            return self.answer({"errcode": 47003, "errmsg": "argument invalid! data"})
        for key, item in data.items():
            value = item.get("value") if isinstance(item, dict) else None
            limit = self.LIMITS.get(key.rstrip("0123456789"))
            if not isinstance(value, str) or not value or (limit and len(value) > limit):
                return self.answer({"errcode": 47003, "errmsg": f"argument invalid! {key}"})
        self.state["template_msgid"] = self.state.get("template_msgid", 200228300) + 1
        self.answer({"errcode": 0, "errmsg": "ok", "msgid": self.state["template_msgid"]})


__all__ = ["AliyunSms", "Server", "WeChat", "quote"]


class WebhookReceiver(_Base):
    """An integrator's endpoint: checks X-Kefu-Signature; answers state["status"] (default 200)."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers.get("X-Kefu-Timestamp", "")
        expected = hmac.new(
            self.state["secret"].encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        good = hmac.compare_digest(expected, self.headers.get("X-Kefu-Signature", ""))
        self.state["requests"].append(
            {"event": self.headers.get("X-Kefu-Event"), "good": good, "body": json.loads(body)}
        )
        if not good:
            return self.answer({"error": "bad signature"}, 401)
        self.answer({"ok": True}, self.state.get("status", 200))
