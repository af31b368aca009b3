"""URLs. Apps other than the foundation plug in desk pages by shipping <app>/desk_urls.py (with
`app_name`), mounted at /desk/<app label>/ (or /desk/<desk_prefix>/ when the AppConfig names
one)."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.utils.translation import gettext as _
from django.views import defaults

from kefu.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("desk/", include("kefu.web.desk_urls")),
]
for _config in apps.get_app_configs():
    if (
        _config.name.startswith("kefu.")
        and _config.label != "web"
        and find_spec(f"{_config.name}.desk_urls")
    ):
        urlpatterns.append(
            path(
                f"desk/{getattr(_config, 'desk_prefix', _config.label)}/",
                include(import_module(f"{_config.name}.desk_urls")),
            )
        )
urlpatterns.append(path("", include("kefu.web.portal_urls")))


def page_not_found(request, exception):
    """An API address that matches no route (say /api/v1/customers/true) answers the API's JSON
    error, as its OpenAPI document says; every other address the 404 page."""
    if request.path.startswith("/api/"):
        detail = _("Not found, or outside your scope.")
        return JsonResponse({"detail": detail, "code": "not_found", "field": None}, status=404)
    return defaults.page_not_found(request, exception)


handler404 = page_not_found
