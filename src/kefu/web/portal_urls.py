from django.urls import path

from . import portal_views as v

app_name = "portal"
urlpatterns = [
    path("", v.home, name="home"),
    path("t/<str:token>/", v.track, name="track"),
]
