"""Turn every refusal into a 4xx JSON answer in the caller's language: {detail, code, field}."""

import re
from functools import cache

from django.apps import apps
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kefu.errors import KefuError, field_label

# Pydantic error types → a sentence a person can act on. %(field)s is the field's dotted path.
MESSAGES = {
    "missing": lambda: _("%(field)s: this field is required."),
    "extra_forbidden": lambda: _("%(field)s: unknown field."),
    "literal_error": lambda: _("%(field)s: not one of the allowed values (%(expected)s)."),
    "enum": lambda: _("%(field)s: not one of the allowed values (%(expected)s)."),
    "string_type": lambda: _("%(field)s: must be text."),
    "string_too_long": lambda: _("%(field)s: too long (at most %(max_length)s characters)."),
    "string_too_short": lambda: _("%(field)s: too short (at least %(min_length)s characters)."),
    "int_parsing": lambda: _("%(field)s: must be a whole number."),
    "int_type": lambda: _("%(field)s: must be a whole number."),
    "int_from_float": lambda: _("%(field)s: must be a whole number."),
    "bool_parsing": lambda: _("%(field)s: must be true or false."),
    "bool_type": lambda: _("%(field)s: must be true or false."),
    "greater_than_equal": lambda: _("%(field)s: must be at least %(ge)s."),
    "greater_than": lambda: _("%(field)s: must be more than %(gt)s."),
    "less_than_equal": lambda: _("%(field)s: must be at most %(le)s."),
    "less_than": lambda: _("%(field)s: must be less than %(lt)s."),
    "date_from_datetime_parsing": lambda: _("%(field)s: must be a date like 2026-03-01."),
    "date_parsing": lambda: _("%(field)s: must be a date like 2026-03-01."),
    "date_type": lambda: _("%(field)s: must be a date like 2026-03-01."),
    "decimal_parsing": lambda: _('%(field)s: must be an amount like "3999.00".'),
    "decimal_type": lambda: _('%(field)s: must be an amount like "3999.00".'),
    "json_invalid": lambda: _("The request body is not valid JSON."),
    "model_attributes_type": lambda: _("%(field)s: must be an object."),
    "dict_type": lambda: _("%(field)s: must be an object."),
    "list_type": lambda: _("%(field)s: must be a list."),
    "url_parsing": lambda: _("%(field)s: must be a web address."),
    "value_error": lambda: _("%(field)s: %(msg)s"),
}
LOCATIONS = {"body", "query", "path", "header", "form", "cookie", "file"}


def _field(loc) -> str:
    parts = [str(p) for p in loc if str(p) not in LOCATIONS]
    # ninja nests a body schema under its parameter name (payload.customer.phone): drop it.
    if len(parts) > 1 and parts[0] in {"payload", "data", "body", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


@cache
def _choice_labels() -> dict:
    """Every choice value of the models (resolved, store, phone …) → its label, translated when
    shown: a Chinese message names the allowed values as people know them."""
    labels = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and value:
                    labels.setdefault(value, label)
    return labels


def _labelled(expected: str) -> str:
    """'resolved' or 'closed' → 'resolved'（已解决）、'closed'（已关闭）: the code stays (it is what
    a program sends), the label says what it means."""
    labels = _choice_labels()

    def one(match):
        label = str(labels.get(match[1], match[1]))
        return match[0] if label == match[1] else f"{match[0]}（{label}）"

    return re.sub(r"'([^']+)'", one, expected.replace(" or ", "、"))


def describe(error: dict) -> dict:
    field = _field(error.get("loc", ()))
    ctx = dict(error.get("ctx") or {})
    params = {
        "field": field_label(field),
        "msg": error.get("msg", ""),
        **{k: str(v) for k, v in ctx.items()},
    }
    params.setdefault("expected", "")
    if field_label(field) != field:  # a Chinese message: no English joining words in it
        params["expected"] = _labelled(params["expected"])
    template = MESSAGES.get(error.get("type"), lambda: _("%(field)s: invalid value (%(msg)s)."))()
    try:
        message = template % params
    except (KeyError, ValueError, TypeError):
        message = _("%(field)s: invalid value (%(msg)s).") % params
    return {"field": field, "message": message, "type": error.get("type")}


def install(api):
    @api.exception_handler(ValidationError)
    def validation_error(request, exc):
        errors = [describe(e) for e in exc.errors]
        return api.create_response(
            request,
            {
                "detail": "；".join(e["message"] for e in errors),
                "code": "invalid",
                "field": errors[0]["field"] if errors else None,
                "errors": errors,
            },
            status=422,
        )

    @api.exception_handler(KefuError)
    def kefu_error(request, exc):
        return api.create_response(
            request,
            {"detail": exc.text(), "code": exc.code, "field": exc.field, **exc.extra},
            status=exc.status,
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request,
            {"detail": _("Not found, or outside your scope."), "code": "not_found", "field": None},
            status=404,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            {
                "detail": _(
                    "Sign in first: send “Authorization: Bearer <token>” (from `kefu token USERNAME`) or a desk session."
                ),
                "code": "unauthenticated",
                "field": None,
            },
            status=401,
        )

    @api.exception_handler(RecursionError)
    def nested_too_deeply(request, exc):  # e.g. 100,000 nested brackets in a JSON body
        return api.create_response(
            request,
            {
                "detail": _("The request body is nested too deeply."),
                "code": "invalid",
                "field": None,
            },
            status=400,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        detail = str(exc)
        if exc.status_code == 403 and "CSRF" in detail:
            detail = _("The CSRF check failed: reload the page and try again.")
        elif exc.status_code == 400 and detail == "Cannot parse request body":
            detail = _("The request body is not valid JSON.")
        return api.create_response(
            request, {"detail": detail, "code": "error", "field": None}, status=exc.status_code
        )
