"""Errors a user can act on. Services raise them; the API and the desk turn them into
4xx answers with the message in the user's language. Nothing is written when one is raised."""

import functools
import json
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_FIELD_LABELS = Path(__file__).with_name("textdata") / "field_labels.v1.json"


@functools.cache
def _labels() -> dict:
    return json.loads(_FIELD_LABELS.read_text("utf-8"))


def field_label(path: str | None) -> str | None:
    """A field's dotted path (customer.phone, status.0) as people read it in the active
    language: 顾客·手机号, 状态·第1项 in Chinese; the path itself in English."""
    if not path or not (get_language() or "").lower().startswith("zh"):
        return path
    names = _labels()["zh"]
    parts = []
    for part in str(path).split("."):
        parts.append(f"第{int(part) + 1}项" if part.isdigit() else names.get(part, part))
    return "·".join(parts)


class KefuError(Exception):
    status = 422
    code = "invalid"

    def __init__(
        self,
        message,
        *,
        field: str | None = None,
        code: str | None = None,
        extra: dict | None = None,
        **params,
    ):
        self.message = message
        self.field = field
        # More JSON for the API answer, e.g. {"findings": [...]} when a reply is blocked.
        self.extra = extra or {}
        self.params = params
        if code:
            self.code = code
        super().__init__(str(message))

    def text(self) -> str:
        """The message, translated into the active language, with its parameters filled in."""
        message = str(self.message)
        if "%(" not in message:
            return message
        return message % {"field": field_label(self.field), **self.params}


class InvalidInput(KefuError):
    status = 422
    code = "invalid"


class Conflict(KefuError):
    status = 409
    code = "conflict"


class StaleWrite(Conflict):
    code = "stale"


class Forbidden(KefuError):
    status = 403
    code = "forbidden"


class NotFound(KefuError):
    status = 404
    code = "not_found"

    def __init__(self, message=None, **kw):
        super().__init__(message or _("Not found, or outside your scope."), **kw)
