"""Desk pages of the reports, mounted at /desk/reports/ (AnalyticsConfig.desk_prefix)."""

from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("weekly/", views.weekly_list, name="weekly"),
    path("weekly/<int:pk>/", views.weekly_detail, name="weekly_detail"),
    path("weekly/<int:pk>/workbook/", views.weekly_workbook, name="weekly_workbook"),
]
