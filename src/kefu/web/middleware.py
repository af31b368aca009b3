"""Refuse a NUL character anywhere in a request's query or text body, before any view runs.

No field of Kefu accepts NUL; PostgreSQL refuses it in text outright while SQLite stores it, so
without this the same bad input would answer 500 on one database and pass on the other. The
answer is a clear 422 in the user's language, the same on both, and nothing is changed.
In a multipart body only the text fields are looked at: a file may well hold NUL bytes."""

from urllib.parse import unquote_to_bytes

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


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _has_nul(request):
            return self.get_response(request)
        detail = _("The request contains a NUL character (\\0), which no field accepts.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail, "code": "invalid", "field": None}, status=422)
        return HttpResponse(detail, status=422, content_type="text/plain; charset=utf-8")
