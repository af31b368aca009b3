"""QA scorecards: placement in the four service types, reviews, weekly random sampling, summaries."""

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.errors import Conflict, Forbidden, InvalidInput
from kefu.quality import rules, selectors, services
from kefu.quality.models import QaReview, QaSample, QualityPolicy
from kefu.tickets import services as ticket_services
from kefu.tickets.models import Ticket
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db
T = Decimal("3.5")
PROCEDURE = [s["code"] for s in rules.standards()["procedure"]]
PERSONAL = [s["code"] for s in rules.standards()["personal"]]


def scores(procedure: int, personal: int, **changes) -> dict:
    out = {c: {"score": procedure, "note": ""} for c in PROCEDURE}
    out.update({c: {"score": personal, "note": ""} for c in PERSONAL})
    out.update(changes)
    return out


# --------------------------------------------------------------------------- rules


def test_seven_standards_on_each_side():
    assert len(PROCEDURE) == len(PERSONAL) == 7
    assert PROCEDURE[0] == "time_limits" and PERSONAL[-1] == "courteous_resolution"


@pytest.mark.parametrize(
    ("procedure", "personal", "kind"),
    [
        ("4.0", "4.0", "quality"),
        ("4.5", "2.0", "production_line"),
        ("2.0", "4.5", "friendly"),
        ("2.0", "2.0", "cold"),
        ("3.5", "3.5", "quality"),
        ("3.49", "3.5", "friendly"),
        ("3.5", "3.49", "production_line"),
        ("1", "5", "friendly"),
    ],
)
def test_the_two_sides_place_a_score_in_one_of_four_service_types(procedure, personal, kind):
    assert (
        rules.service_type(
            Decimal(procedure), Decimal(personal), procedure_strong_at=T, personal_strong_at=T
        )
        == kind
    )


def test_thresholds_are_data():
    assert (
        rules.service_type(
            Decimal("3.8"), Decimal("3.8"), procedure_strong_at=Decimal("4"), personal_strong_at=T
        )
        == "friendly"
    )
    assert QualityPolicy.current().procedure_strong_at == Decimal("3.50")


def test_the_draw_is_deterministic_prefix_stable_and_not_the_first_or_last_tickets():
    key, ids = b"k", list(range(1, 101))
    first = rules.sample(ids, n=10, key=key, week="2026-03-02")
    shuffled = ids[:]
    random.Random(7).shuffle(shuffled)
    assert (
        rules.sample(shuffled, n=10, key=key, week="2026-03-02") == first
    )  # order of rows does not matter
    assert rules.sample(ids, n=15, key=key, week="2026-03-02")[:10] == first  # raising N only adds
    assert len(set(first)) == 10 and first != ids[:10] and first != ids[-10:]
    assert (
        rules.sample(ids, n=10, key=key, week="2026-03-09") != first
    )  # another week, another draw
    assert (
        rules.sample(ids, n=10, key=b"other", week="2026-03-02") != first
    )  # unpredictable without the key


# --------------------------------------------------------------------------- reviews


def test_a_review_scores_fourteen_standards_and_places_the_agent(complaint, users):
    ticket_services.assign(actor=users["manager_sh001"], ticket=complaint, assignee="staff_sh001")
    review = services.record_review(
        reviewer=users["qa"],
        ticket=complaint,
        scores=scores(4, 2, attitude={"score": 3, "note": "语气生硬"}),
        comment="流程到位，态度需改进",
    )
    assert review.agent == users["staff_sh001"] and review.store.code == "SH001"
    assert review.procedure_score == Decimal("4.00") and review.personal_score == Decimal("2.14")
    assert review.service_type == "production_line" and review.scores["attitude"] == {
        "score": 3,
        "note": "语气生硬",
    }
    event = complaint.events.get(kind="qa_review")
    assert not event.public and event.data == {
        "review": review.pk,
        "service_type": "production_line",
    }


def test_without_an_assignee_the_agent_is_who_replied(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"], actor=users["staff_sh001"])
    ticket_services.add_reply(
        actor=users["manager_sh001"], ticket=ticket, body="您好，师傅明天上门，请您保持电话畅通。"
    )
    review = services.record_review(reviewer=users["qa"], ticket=ticket, scores=scores(5, 5))
    assert review.agent == users["manager_sh001"] and review.service_type == "quality"


def test_a_review_needs_every_standard_scored_1_to_5(complaint, users):
    ticket_services.add_reply(
        actor=users["staff_sh001"], ticket=complaint, body="张先生您好，请您稍等。"
    )
    bad = [
        scores(3, 3, attitude={"score": 6}),
        scores(3, 3, attitude={"score": "x"}),
        {**scores(3, 3), "luck": {"score": 3}},
    ]
    missing = scores(3, 3)
    missing.pop("flow")
    for payload in [*bad, missing]:
        with pytest.raises(InvalidInput):
            services.record_review(reviewer=users["qa"], ticket=complaint, scores=payload)
    assert not QaReview.objects.exists()


def test_only_reviewers_review_and_a_ticket_nobody_worked_has_no_agent(chain, complaint, users):
    with pytest.raises(Forbidden):
        services.record_review(reviewer=users["staff_sh001"], ticket=complaint, scores=scores(3, 3))
    untouched = open_ticket(chain["stores"]["SH001"])
    with pytest.raises(Conflict):
        services.record_review(reviewer=users["qa"], ticket=untouched, scores=scores(3, 3))


def test_desk_review_form_saves_and_shows_the_service_type(desk, complaint, users):
    ticket_services.add_reply(
        actor=users["staff_sh001"], ticket=complaint, body="张先生您好，请您稍等。"
    )
    client = desk("qa")
    form = client.get(f"/desk/quality/tickets/{complaint.id}/review/")
    assert (
        form.status_code == 200
        and "时限" in form.content.decode()
        and "有礼貌地解决问题" in form.content.decode()
    )
    post = (
        {f"score_{c}": "2" for c in PROCEDURE}
        | {f"score_{c}": "5" for c in PERSONAL}
        | {"comment": "热情但流程混乱"}
    )
    incomplete = client.post(
        f"/desk/quality/tickets/{complaint.id}/review/", {**post, "score_flow": ""}
    )
    assert (
        incomplete.status_code == 422 and 'data-field="scores.flow"' in incomplete.content.decode()
    )
    r = client.post(f"/desk/quality/tickets/{complaint.id}/review/", post)
    assert r.status_code == 302
    detail = client.get(r["Location"]).content.decode()
    assert 'data-type="friendly"' in detail and "友好型" in detail and "我们在努力" in detail
    # The agent sees their own scorecard; a colleague at another store does not.
    assert desk("staff_sh001").get(r["Location"]).status_code == 200
    assert desk("staff_bj001").get(r["Location"]).status_code == 404
    assert (
        desk("staff_sh001").get(f"/desk/quality/tickets/{complaint.id}/review/").status_code == 403
    )


# --------------------------------------------------------------------------- sampling


MONDAY = datetime.date(2026, 3, 2)


def resolved(chain, actor, when: datetime.datetime, *, assignee=None) -> Ticket:
    ticket = open_ticket(chain["stores"]["SH001"], actor=actor)
    if assignee:
        ticket_services.assign(actor=actor, ticket=ticket, assignee=assignee)
    ticket_services.change_status(actor=actor, ticket=ticket, status="resolved")
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=when)
    return ticket


def at(day: datetime.date, hour=12, minute=0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def test_the_weekly_sample_is_n_per_agent_deterministic_and_idempotent(chain, users):
    staff = [
        resolved(chain, users["staff_sh001"], at(MONDAY + datetime.timedelta(days=i % 7)))
        for i in range(8)
    ]
    manager = [resolved(chain, users["manager_sh001"], at(MONDAY)) for _ in range(2)]
    # Assigned to a colleague, resolved by the manager: the assignee's work.
    assigned = resolved(chain, users["manager_sh001"], at(MONDAY), assignee="staff_sh001")
    resolved(
        chain, users["staff_sh001"], at(MONDAY - datetime.timedelta(days=1), 23, 59)
    )  # last week (Sunday night)
    resolved(
        chain, users["staff_sh001"], at(MONDAY + datetime.timedelta(days=7), 0, 0)
    )  # next week

    first = services.sample_week(MONDAY + datetime.timedelta(days=3), n=3)  # any day names its week
    by_agent = {}
    for row in first:
        by_agent.setdefault(row.agent_id, set()).add(row.ticket_id)
    assert {k: len(v) for k, v in by_agent.items()} == {
        users["staff_sh001"].id: 3,
        users["manager_sh001"].id: 2,
    }
    assert by_agent[users["manager_sh001"].id] == {t.id for t in manager}
    assert by_agent[users["staff_sh001"].id] <= {t.id for t in staff} | {assigned.id}
    assert all(row.week == MONDAY for row in first)

    assert services.sample_week(MONDAY, n=3) == []  # rerun: nothing new
    more = services.sample_week(MONDAY, n=5)
    assert len(more) == 2 and QaSample.objects.filter(agent=users["staff_sh001"]).count() == 5
    # The same draw from scratch: same tickets.
    kept = set(QaSample.objects.values_list("ticket_id", flat=True))
    QaSample.objects.all().delete()
    services.sample_week(MONDAY, n=5)
    assert set(QaSample.objects.values_list("ticket_id", flat=True)) == kept


def test_the_sample_size_comes_from_the_policy_and_the_task_draws_last_week(
    chain, users, time_machine
):
    for i in range(4):
        resolved(chain, users["staff_sh001"], at(MONDAY + datetime.timedelta(days=i)))
    policy = QualityPolicy.current()
    policy.sample_per_agent_week = 2
    policy.save()
    from kefu.quality.tasks import draw_weekly_qa_sample

    time_machine.move_to(at(MONDAY + datetime.timedelta(days=7), 2, 30))
    assert draw_weekly_qa_sample.call_local() == 2
    assert draw_weekly_qa_sample.call_local() == 0
    assert set(QaSample.objects.values_list("week", flat=True)) == {MONDAY}


def test_the_queue_lists_the_week_unreviewed_first_and_a_review_closes_the_sample(
    desk, chain, users
):
    tickets = [resolved(chain, users["staff_sh001"], at(MONDAY)) for _ in range(2)]
    services.sample_week(MONDAY, n=2)
    review = services.record_review(reviewer=users["qa"], ticket=tickets[0], scores=scores(4, 4))
    assert QaSample.objects.get(ticket=tickets[0]).review == review
    page = desk("qa").get(f"/desk/quality/queue/?week={MONDAY.isoformat()}").content.decode()
    assert page.index(f'data-ticket="{tickets[1].id}"') < page.index(
        f'data-ticket="{tickets[0].id}"'
    )
    r = desk("qa").post("/desk/quality/queue/draw/", {"week": MONDAY.isoformat()})
    assert r.status_code == 302 and QaSample.objects.count() == 2


# --------------------------------------------------------------------------- summaries


def review_at(chain, users, store, agent, procedure, personal):
    ticket = open_ticket(chain["stores"][store], actor=users[agent])
    ticket_services.add_reply(
        actor=users[agent], ticket=ticket, body="您好，请您稍等，我们马上处理。"
    )
    return services.record_review(
        reviewer=users["qa"], ticket=ticket, scores=scores(procedure, personal)
    )


def test_summaries_place_agents_and_stores_and_are_scoped(chain, users):
    review_at(chain, users, "SH001", "staff_sh001", 5, 5)
    review_at(chain, users, "SH001", "staff_sh001", 4, 2)  # mean 4.5 / 3.5 → quality
    review_at(chain, users, "BJ001", "staff_bj001", 2, 4)
    everyone = {r["name"]: r for r in selectors.agent_summaries(users["qa"])}
    assert (
        everyone["staff_sh001"]["reviews"] == 2
        and everyone["staff_sh001"]["service_type"] == "quality"
    )
    assert everyone["staff_bj001"]["service_type"] == "friendly"
    stores = {r["code"]: r["service_type"] for r in selectors.store_summaries(users["qa"])}
    assert stores == {"SH001": "quality", "BJ001": "friendly"}
    # A store manager sees their store; a regional manager their region; an agent only themselves.
    assert [r["code"] for r in selectors.store_summaries(users["manager_sh001"])] == ["SH001"]
    assert [r["name"] for r in selectors.agent_summaries(users["region_north"])] == ["staff_bj001"]
    assert [r["name"] for r in selectors.agent_summaries(users["staff_bj001"])] == ["staff_bj001"]
    assert selectors.store_summaries(users["staff_bj001"]) == []


def test_the_summary_page_costs_the_same_queries_for_more_reviews(
    desk, chain, users, django_assert_num_queries
):
    review_at(chain, users, "SH001", "staff_sh001", 4, 4)
    client = desk("qa")
    client.get("/desk/quality/summary/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get("/desk/quality/summary/").status_code == 200
    for agent, store in (
        ("staff_bj001", "BJ001"),
        ("manager_sh001", "SH001"),
        ("staff_sh002", "SH002"),
    ):
        review_at(chain, users, store, agent, 3, 3)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/desk/quality/summary/").content.decode()
    assert len(many) == len(few) and "staff_sh002" in page


def test_the_queue_page_costs_the_same_queries_for_a_bigger_sample(desk, chain, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    resolved(chain, users["staff_sh001"], at(MONDAY))
    services.sample_week(MONDAY, n=10)
    client = desk("qa")
    url = f"/desk/quality/queue/?week={MONDAY.isoformat()}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for agent in ("staff_sh001", "manager_sh001", "cs_agent"):
        for _ in range(3):
            resolved(chain, users[agent], at(MONDAY))
    services.sample_week(MONDAY, n=10)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("data-ticket=") == 10 and len(many) == len(few)


def test_reading_the_policy_never_writes_it():
    assert QualityPolicy.current().sample_per_agent_week == 3
    assert not QualityPolicy.objects.exists()


def test_a_ticket_drawn_in_two_weeks_is_closed_by_one_scorecard(chain, users):
    ticket = resolved(chain, users["staff_sh001"], at(MONDAY))
    services.sample_week(MONDAY, n=1)
    Ticket.objects.filter(pk=ticket.pk).update(
        resolved_at=at(MONDAY + datetime.timedelta(days=7))
    )  # reopened, resolved again
    services.sample_week(MONDAY + datetime.timedelta(days=7), n=1)
    review = services.record_review(reviewer=users["qa"], ticket=ticket, scores=scores(4, 4))
    assert list(QaSample.objects.filter(ticket=ticket).values_list("review_id", flat=True)) == [
        review.pk,
        review.pk,
    ]
