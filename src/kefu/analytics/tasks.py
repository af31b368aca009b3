"""Background work of the reports."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(day_of_week="1", hour="6", minute="0"))
def send_weekly_reports() -> dict:
    """Every Monday at 06:00 (Asia/Shanghai), last week's report to each manager: in the desk
    and by mail. Idempotent per week and manager, so a retried run adds nothing."""
    return services.weekly_reports()


@db_periodic_task(crontab(minute="*"))
def refresh_report_facts() -> int:
    """Every minute, the report facts of the tickets changed since the last refresh, so a
    report seldom has to refresh them before it reads (kefu/analytics/facts.py)."""
    from . import facts

    return facts.refresh_stale()


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_exports() -> int:
    """Every night, the exports older than KEFU_EXPORT_KEEP_DAYS go with their files."""
    return services.purge_exports()
