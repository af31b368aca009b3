from django.urls import include, path

from . import portal_views as v

app_name = "portal"
urlpatterns = [
    path("", v.home, name="home"),
    path("t/<str:token>/", v.track, name="track"),
    path("", include("kefu.feedback.portal_urls")),
    path("", include("kefu.channels.portal_urls")),
    path("", include("kefu.knowledge.portal_urls")),
    path("", include("kefu.aftersales.portal_urls")),
]
