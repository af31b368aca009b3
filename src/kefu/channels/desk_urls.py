"""Desk pages of the channels, mounted at /desk/channels/: the hotline call page (来电登记)."""

from django.urls import path

from . import desk_views as v

app_name = "channels"
urlpatterns = [
    path("calls/", v.calls, name="calls"),
    path("calls/<int:pk>/", v.calls, name="call"),
]
