"""Refusals before any view runs: a body larger than the upload limit (413), and a NUL character.

Refuse a NUL character anywhere in a request's query or text body, before any view runs.

No field of Kefu accepts NUL; PostgreSQL refuses it in text outright while SQLite stores it, so
without this the same bad input would answer 500 on one database and pass on the other. The
answer is a clear 422 in the user's language, the same on both, and nothing is changed.
In a multipart body only the text fields are looked at: a file may well hold NUL bytes."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

TEXT_BODIES = ("application/x-www-form-urlencoded", "application/json", "text/")
MULTIPART = "multipart/form-data"


def _has_nul(request) -> bool:
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith(MULTIPART):
        return any("\x00" in v for values in request.POST.lists() for v in values[1])
    if not content_type.startswith(TEXT_BODIES):
        return False
    body = request.body
    if content_type.startswith("application/json"):
        return b"\x00" in body or b"\\u0000" in body.lower()
    return b"\x00" in body or b"\x00" in unquote_to_bytes(body.replace(b"+", b" "))


def _refusal(request, detail: str, status: int, code: str = "invalid"):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "code": code, "field": None}, status=status)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


# ------------------------------------------------------------------ request size

# Room for a multipart body's text fields and boundaries besides the one file it may carry.
FORM_ROOM = 1024 * 1024


class UploadTooLarge(Exception):
    """Raised by BoundedUploadHandler while the body streams in: no more of it is read."""


class BoundedUploadHandler(FileUploadHandler):
    """Counts the bytes of every file in a multipart body as they stream in and stops the
    upload at KEFU_ATTACHMENT_MAX_BYTES — for a body whose Content-Length lied or was absent
    (chunked). Placed first, so nothing is written to memory or disk past the limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.KEFU_ATTACHMENT_MAX_BYTES:
            raise UploadTooLarge
        return raw_data

    def file_complete(self, file_size):
        return None


def _too_large(request):
    detail = _("The upload is larger than %(max)s MB.") % {
        "max": settings.KEFU_ATTACHMENT_MAX_BYTES // (1024 * 1024)
    }
    return _refusal(request, detail, 413, code="too_large")


class BoundRequestBodyMiddleware:
    """Refuse a body that is too large before any of it is read: by its declared Content-Length
    first, then — for multipart uploads — by the bytes actually streamed (a chunked body or a
    lying header). Before RefuseNulMiddleware, which parses multipart bodies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        own_bound = settings.KEFU_BODY_BOUNDS.get(request.path)
        if own_bound is not None:
            # A path with its own bound (inbound mail) reads its body as a stream and refuses
            # more than the bound itself; a declared length over it is refused unread here.
            if declared > own_bound:
                detail = _("The message is larger than %(max)s MB.") % {
                    "max": own_bound // (1024 * 1024)
                }
                return _refusal(request, detail, 413, code="too_large")
            return self.get_response(request)
        if declared > settings.KEFU_ATTACHMENT_MAX_BYTES + FORM_ROOM:
            return _too_large(request)
        if request.method == "POST" and request.META.get("CONTENT_TYPE", "").startswith(MULTIPART):
            request.upload_handlers.insert(0, BoundedUploadHandler(request))
            try:
                request.POST  # noqa: B018 — parse now, where the refusal can still be answered
            except UploadTooLarge:
                return _too_large(request)
        return self.get_response(request)


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Paths with their own body bound read (and clean) their body themselves.
        if request.path in settings.KEFU_BODY_BOUNDS or not _has_nul(request):
            return self.get_response(request)
        detail = _("The request contains a NUL character (\\0), which no field accepts.")
        return _refusal(request, detail, 422)


# ------------------------------------------------------------------ privacy headers

# Answers that carry personal data (customers' names, mobiles, addresses, complaints) must not
# be kept by a browser's or a proxy's cache: a shared shop PC's back button would show them.
NO_STORE_PREFIXES = ("/desk/", "/admin/", "/api/")


class PrivacyHeadersMiddleware:
    """Permissions-Policy on every answer; Cache-Control: no-store on desk, admin and API answers
    (the portal's tracking page sets it itself, kefu.web.portal_page.private_page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.KEFU_PERMISSIONS_POLICY)
        if request.path.startswith(NO_STORE_PREFIXES):
            response["Cache-Control"] = "no-store"
        return response
