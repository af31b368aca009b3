"""Background work for service quality."""

import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services
from .selectors import week_start


@db_periodic_task(crontab(day_of_week="1", hour="2", minute="30"))
def draw_weekly_qa_sample() -> int:
    """Every Monday night, draw last week's QA sample (N resolved tickets per agent).

    Deterministic, so a retried or doubled run adds nothing."""
    last_week = week_start(timezone.localdate()) - datetime.timedelta(days=7)
    return len(services.sample_week(last_week))
