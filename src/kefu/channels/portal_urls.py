"""Customer-facing page of the channels, in the portal's namespace: portal:find_link at /find/."""

from django.urls import path

from . import portal as v

urlpatterns = [path("find/", v.find_link, name="find_link")]
