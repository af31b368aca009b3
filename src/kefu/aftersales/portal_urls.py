"""Customer-facing after-sales pages, in the "portal" namespace: portal:warranty at /warranty/."""

from django.urls import path

from . import portal as v

urlpatterns = [
    path("warranty/", v.warranty, name="warranty"),
    path("t/<str:token>/quotes/<int:pk>/", v.track_quote, name="track_quote"),
    path("t/<str:token>/booking/", v.track_booking, name="track_booking"),
]
