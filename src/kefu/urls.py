from django.contrib import admin
from django.urls import include, path

from kefu.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("desk/", include("kefu.web.desk_urls")),
    path("", include("kefu.web.portal_urls")),
]
