"""Customer-facing page of the channels, in the portal's namespace: portal:find_link at /find/ the WeChat server endpoint at /channels/wechat/, and the opt-out page portal:optout at
/optout/<signed token>/."""

from django.urls import path

from . import portal as v

urlpatterns = [
    path("find/", v.find_link, name="find_link"),
    path("channels/wechat/", v.wechat_endpoint, name="wechat"),
    path("optout/<str:token>/", v.optout_page, name="optout"),
]
