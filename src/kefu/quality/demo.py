"""Service-quality demo rows for `kefu demo`: root causes on the history's complaints (set by
kefu.web.demo as each is resolved), QA scorecards written a few days after resolution, the
weekly QA samples of the last two weeks and a few self-assessments."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu.backdate import at
from kefu.errors import Conflict
from kefu.tickets.models import Status, Ticket

from . import rules, services
from .models import QaReview, SelfAssessment
from .selectors import week_start

# Weighted as complaints fall at a chain: slow service and broken promises lead.
ROOT_CAUSES = {
    "slow_service": 5,
    "promise_not_kept": 4,
    "treated_rudely": 2,
    "unskilled_technician": 3,
    "hotline_unreachable": 1.5,
    "urgent_or_long_wait": 2,
    "product_quality": 3,
}
# (username, ten self-assessment answers, days ago): one per band.
SELF_ASSESSMENTS = [
    ("staff_sh001", [9, 8, 9, 10, 8, 9, 8, 9, 9, 10], 20),
    ("staff_bj001", [7, 6, 7, 8, 5, 6, 5, 7, 6, 8], 12),
    ("cs_agent", [8, 7, 9, 9, 7, 8, 9, 8, 8, 9], 5),
]


def root_cause(actor, ticket, rng) -> None:
    """Why the customer complained (needed to resolve a complaint)."""
    services.set_root_cause(
        actor=actor,
        ticket=ticket,
        code=rng.choices(list(ROOT_CAUSES), weights=list(ROOT_CAUSES.values()))[0],
    )


def load(password: str, n_reviews: int = 12) -> dict:
    """QA scorecards on resolved tickets, dated a few days after each resolution; the last two
    weeks' samples; self-assessments. Each part is skipped when its rows are already there."""
    User = get_user_model()
    qa = User.objects.filter(username="qa").first()
    added = {"reviews": 0, "samples": 0, "self_assessments": 0}
    if qa is None:
        return added
    rng = random.Random(2027)
    now = timezone.now()
    if not QaReview.objects.filter(reviewer=qa).exists():
        sides = rules.standard_codes()
        tickets = Ticket.objects.filter(
            status__in=[Status.RESOLVED, Status.CLOSED],
            resolved_at__lt=now - datetime.timedelta(days=5),
        ).order_by("-resolved_at")
        for ticket in tickets[: n_reviews * 2]:
            if added["reviews"] >= n_reviews:
                break
            # Each ticket leans one way, so the summaries show all four service types.
            procedure, personal = rng.choice([(4, 4), (4, 2), (2, 4), (2, 2), (5, 4)])
            scores = {
                c: {
                    "score": max(
                        1,
                        min(
                            5,
                            (procedure if side == "procedure" else personal)
                            + rng.choice([-1, 0, 0, 1]),
                        ),
                    ),
                    "note": "",
                }
                for c, side in sides.items()
            }
            reviewed = ticket.resolved_at + datetime.timedelta(days=rng.randint(1, 4), hours=2)
            try:
                with at(min(reviewed, now)):
                    services.record_review(
                        reviewer=qa, ticket=ticket, scores=scores, comment="抽检评分"
                    )
            except Conflict:  # a ticket nobody worked has no agent to score
                continue
            added["reviews"] += 1
    last_week = week_start(timezone.localdate()) - datetime.timedelta(days=7)
    with at(now - datetime.timedelta(days=6)):
        added["samples"] = len(services.sample_week(last_week))
    added["samples"] += len(services.sample_week(last_week + datetime.timedelta(days=7)))
    for username, answers, days_ago in SELF_ASSESSMENTS:
        user = User.objects.filter(username=username).first()
        if user is not None and not SelfAssessment.objects.filter(staff__user=user).exists():
            with at(now - datetime.timedelta(days=days_ago)):
                services.submit_self_assessment(actor=user, answers=answers)
            added["self_assessments"] += 1
    return added
