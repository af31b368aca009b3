"""The shared pieces every app's API router uses (each app owns its router in <app>/api.py):
the strict base schema, the error answer and its statuses, and the expected-version parsing
that turns a stale write into a 409 instead of overwriting a colleague's change.

One answer model per answer type, shared by every operation (issue 14). django-ninja wraps an
operation's answer for each status code in a pydantic model class of its own
(`Operation._create_response_model`, called as each app's api.py is imported): 106 operations ×
7 codes made 743 classes, 636 of them the same wrapper around `Error`, 8 MB in every web process.
The wrapper depends on nothing but the type it wraps (`{"response": <type>}`), so operations that
answer the same type share one. Every api.py imports this module before it declares an
operation; tests/api/test_answer_models.py checks that ninja still builds its wrappers this way
and that the API's description is unchanged."""

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.operation import Operation
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

_build_answer_model = Operation._create_response_model
_answer_models: dict = {}


def _shared_answer_model(operation, response_param):
    try:
        return _answer_models[response_param]
    except KeyError:
        model = _answer_models[response_param] = _build_answer_model(operation, response_param)
        return model
    except TypeError:  # an unhashable answer type: a wrapper of its own, as ninja builds it
        return _build_answer_model(operation, response_param)


Operation._create_response_model = _shared_answer_model


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
