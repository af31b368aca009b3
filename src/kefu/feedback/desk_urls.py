"""Desk pages of the customer's voice, mounted at /desk/feedback/."""

from django.urls import path

from . import views as v

app_name = "feedback"
urlpatterns = [
    path("followups/", v.followups, name="followups"),
    path("followups/<int:pk>/", v.followup_detail, name="followup"),
    path("followups/<int:pk>/call/", v.followup_call, name="followup_call"),
    path("cards/", v.cards, name="cards"),
    path("cards/<int:pk>/", v.card_detail, name="card"),
    path("cards/<int:pk>/handle/", v.card_handle, name="card_handle"),
    path("compensations/", v.compensations, name="compensations"),
    path("compensations/<int:pk>/decide/", v.compensation_decide, name="compensation_decide"),
    path("tickets/<int:pk>/compensation/", v.compensation_request, name="compensation_request"),
    path("surveys/", v.surveys, name="surveys"),
]
