"""Customer-facing pages (no sign-in): the satisfaction survey at its private link and the
feedback card. kefu.web.portal_urls includes these, so they join the "portal" namespace:
portal:survey at /survey/<token>/ and portal:feedback_card at /feedback/."""

from django.urls import path

from . import portal as v

urlpatterns = [
    path("survey/<str:token>/", v.survey, name="survey"),
    path("feedback/", v.card, name="feedback_card"),
]
