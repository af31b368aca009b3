"""Background work for the customer's voice (Huey; djhuey finds this module)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_periodic_task(crontab(minute="30", hour="7"))
@lock_task("feedback-generate-followups")
def generate_followups() -> int:
    """Every morning, before the stores open: the day's follow-up calls (回访任务). Idempotent,
    so a retried or doubled run adds nothing; the lock keeps two consumers from racing."""
    from .services import generate_followups as sweep

    return sweep()


@db_task(retries=3, retry_delay=600)
def send_survey_mail(survey_id: int) -> bool:
    """Mail one survey link; an SMTP failure raises and Huey tries again in ten minutes."""
    from .services import mail_survey

    return mail_survey(survey_id)
