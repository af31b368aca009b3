"""Background work for the customer's voice (Huey; djhuey finds this module). The survey
mail (a manual resend) is services.send_survey_mail; resolution tells the customer through
the channels pipeline."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import services


@db_periodic_task(crontab(minute="30", hour="7"))
@lock_task("feedback-generate-followups")
def generate_followups() -> int:
    """Every morning, before the stores open: the day's follow-up calls (回访任务). Idempotent,
    so a retried or doubled run adds nothing; the lock keeps two consumers from racing."""
    return services.generate_followups()
