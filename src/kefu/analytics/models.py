"""The one stored thing of the reports: each manager's weekly report (the figures are computed
from the tickets; this keeps what was sent, so a manager reads the week as it was mailed)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WeeklyReport(models.Model):
    """One manager's numbers for one week (Monday to Sunday, Asia/Shanghai), built once by the
    Monday task; one row per manager and week, so a repeated run adds and mails nothing."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_reports"
    )
    week_start = models.DateField(_("week of"))
    scope = models.JSONField(default=dict)  # Scope.as_json() at the time
    data = models.JSONField(default=dict)  # the summary and the week before's headline numbers
    created_at = models.DateTimeField(auto_now_add=True)
    mailed_to = models.CharField(max_length=254, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["manager", "week_start"], name="one_report_a_week")
        ]

    def __str__(self):
        return f"{self.manager_id} {self.week_start}"
