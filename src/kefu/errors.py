"""Errors a user can act on. Services raise them; the API and the desk turn them into
4xx answers with the message in the user's language. Nothing is written when one is raised."""

from django.utils.translation import gettext_lazy as _


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
        return message % {"field": self.field, **self.params} if "%(" in message else message


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
