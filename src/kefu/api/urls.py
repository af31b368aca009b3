"""The HTTP API at /api/v1/. Each app owns its router in <app>/api.py (`router`, and optionally
`API_PREFIX` and `API_TAGS`); this file finds and mounts them, so an app plugs in without
editing it."""

import json
from datetime import datetime
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.utils import timezone
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from .auth import BearerToken, DeskSession
from .errors import install


class LocalTimeEncoder(NinjaJSONEncoder):
    """One convention for every time in the API: ISO 8601 in the site's time zone with its
    offset (2026-03-02T10:00:00+08:00), as the SLA times always were — never UTC "Z"."""

    def default(self, o):
        if isinstance(o, datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder


class KefuAPI(NinjaAPI):
    # The schema as JSON, per path prefix: building it walks every operation's pydantic models
    # (~360 ms of CPU), and /api/v1/openapi.json answers anyone. Kept as text, not as the dict, so
    # each caller gets a schema of its own to change (and a worker holds 0.25 MB, not 1.4).
    _schema_json: dict[str, str] = {}

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        text = self._schema_json.get(path_prefix)
        if text is None:
            text = json.dumps(self._build_schema(path_prefix), cls=LocalTimeEncoder)
            self._schema_json[path_prefix] = text
        return json.loads(text)

    def _build_schema(self, path_prefix: str) -> dict:
        """Adds the answers that come from before any handler: 414 from the web server for an
        over-long URL, 413 from kefu.web.middleware for an over-large body."""
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                operation["responses"].setdefault(
                    "414",
                    {
                        "description": "The URL is too long (over 8 KB): refused by the web "
                        "server before Kefu reads it, as plain text",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                )
        return schema


api = KefuAPI(
    title="Kefu API",
    version="1",
    description="Kefu (客服): tickets, customers and purchases, after-sales, SLA and quality. Authenticate with "
    "`Authorization: Bearer <token>` (`kefu token USERNAME`) or a desk session. Errors answer "
    "{detail, code, field} in the language of Accept-Language (zh-hans by default). Times are "
    "ISO 8601 in China time with the offset (2026-03-02T10:00:00+08:00); times sent in may carry "
    "any offset.",
    auth=[BearerToken(), DeskSession()],
    renderer=LocalTimeRenderer(),
    urls_namespace="api",
)
install(api)

# Prefixes of the foundation's routers; other apps default to /<app label>.
PREFIXES = {"tickets": "/tickets", "customers": ""}


def _mount():
    for config in apps.get_app_configs():
        if not config.name.startswith("kefu."):
            continue
        module_name = f"{config.name}.api"
        if find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        prefix = getattr(module, "API_PREFIX", PREFIXES.get(config.label, f"/{config.label}"))
        api.add_router(prefix, module.router, tags=getattr(module, "API_TAGS", [config.label]))


_mount()
