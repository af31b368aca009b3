"""Customer-facing after-sales pages, in the "portal" namespace: portal:warranty at /warranty/."""

from django.urls import path

from . import portal as v

urlpatterns = [
    path("warranty/", v.warranty, name="warranty"),
]
