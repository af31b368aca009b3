"""Desk pages of the reports, mounted at /desk/reports/ (AnalyticsConfig.desk_prefix)."""

from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("exports/", views.export_jobs, name="exports"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("weekly/", views.weekly_list, name="weekly"),
    path("weekly/<int:pk>/", views.weekly_detail, name="weekly_detail"),
    path("weekly/<int:pk>/workbook/", views.weekly_workbook, name="weekly_workbook"),
]
