"""The customer's help pages; kefu.web.portal_urls includes these into the "portal"
namespace: portal:help at /help/, portal:help_article at /help/<id>/."""

from django.urls import path

from . import portal as v

urlpatterns = [
    path("help/", v.help_home, name="help"),
    path("help/suggest/", v.help_suggest, name="help_suggest"),
    path("help/<int:pk>/", v.help_article, name="help_article"),
]
