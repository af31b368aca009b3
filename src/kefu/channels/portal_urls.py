"""Customer-facing page of the channels, in the portal's namespace: portal:find_link at /find/ and the WeChat server endpoint at /channels/wechat/."""

from django.urls import path

from . import portal as v

urlpatterns = [
    path("find/", v.find_link, name="find_link"),
    path("channels/wechat/", v.wechat_endpoint, name="wechat"),
]
