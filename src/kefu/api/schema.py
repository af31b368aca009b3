"""The shared pieces every app's API router uses (each app owns its router in <app>/api.py):
the strict base schema, the error answer and its statuses, and the expected-version parsing
that turns a stale write into a 409 instead of overwriting a colleague's change."""

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import ConfigDict

from kefu.errors import InvalidInput


class Strict(Schema):
    """Request bodies refuse unknown fields (a typo is an error, not a silent no-op)."""

    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    """Every refusal: {detail, code, field} in the caller's language (kefu.api.errors)."""

    model_config = ConfigDict(extra="allow")  # e.g. "findings" when a reply is blocked
    detail: str
    code: str
    field: str | None = None


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def expected_version(request, body_version: int | None) -> int | None:
    """The version the caller last saw: the body's `version`, else the If-Match header."""
    if body_version is not None:
        return body_version
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput(
            _('%(field)s: must be the ticket\'s version, e.g. "3".'), field="If-Match"
        )
    return int(value)
