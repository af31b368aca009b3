"""Desk pages of the reports, mounted at /desk/reports/ (AnalyticsConfig.desk_prefix)."""

from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
]
