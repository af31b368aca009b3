"""The HTTP API at /api/v1/: each app owns its router in <app>/api.py; this file assembles them."""

from ninja import NinjaAPI

from .auth import BearerToken, DeskSession
from .errors import install

api = NinjaAPI(
    title="Kefu API",
    version="1",
    description="Kefu (客服): tickets, customers and purchases. Authenticate with `Authorization: Bearer <token>` "
    "(`kefu token USERNAME`) or a desk session. Errors answer {detail, code, field} in the language of "
    "Accept-Language (zh-hans by default).",
    auth=[BearerToken(), DeskSession()],
    urls_namespace="api",
)
install(api)

ROUTERS = [
    ("kefu.tickets.api", "/tickets", ["tickets"]),
    ("kefu.customers.api", "", ["customers"]),
]


def _mount():
    from importlib import import_module

    for module, prefix, tags in ROUTERS:
        api.add_router(prefix, import_module(module).router, tags=tags)


_mount()
urlpatterns = [("", api.urls)]
