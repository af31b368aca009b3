"""Desk URLs of SLA, mounted at /desk/sla/ (namespace sla)."""

from django.urls import path

from . import views

app_name = "sla"
urlpatterns = [
    path("breaching/", views.breaching_soon, name="breaching"),
    path("tickets/<int:pk>/timetable/", views.set_timetable, name="timetable"),
]
