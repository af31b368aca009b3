"""Satisfaction surveys: sent on resolution, answered once, a low score reopens to the store manager."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.feedback import services
from kefu.feedback.models import FeedbackSettings, FollowUp, Survey, SurveyAnswer
from kefu.notifications.models import Notification
from kefu.tickets import services as ticket_services
from kefu.tickets import signals as ticket_signals
from kefu.tickets.models import Ticket
from tests.factories import CustomerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def kinds(ticket):
    return list(ticket.events.values_list("kind", flat=True))


def test_resolving_a_ticket_sends_one_survey_with_its_own_private_link(resolved):
    ticket = resolved()
    survey = Survey.objects.get(ticket=ticket)
    assert survey.store == ticket.store and survey.answered_at is None and len(survey.token) >= 30
    assert survey.token != ticket.tracking_token
    assert survey.expires_at > timezone.now() + datetime.timedelta(days=29)
    assert kinds(ticket)[-1] == "survey_sent"


def test_resolving_again_keeps_the_same_survey(resolved, users):
    ticket = resolved()
    first = Survey.objects.get(ticket=ticket)
    ticket_services.change_status(actor=users["cs_agent"], ticket=ticket, status="open")
    ticket_services.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    assert (
        Survey.objects.filter(ticket=ticket).count() == 1
        and Survey.objects.get(ticket=ticket).token == first.token
    )


def test_other_status_changes_send_no_survey(chain, users):
    from tests.factories import open_ticket

    ticket = open_ticket(chain["stores"]["SH001"])
    ticket_services.change_status(actor=users["cs_agent"], ticket=ticket, status="pending_customer")
    assert not Survey.objects.exists()


def test_an_answer_is_recorded_with_its_questions_and_comment_on_the_timeline(resolved):
    ticket = resolved()
    survey = services.answer_survey(
        token=ticket.survey.token,
        csat="5",
        answers={"timely": "4", "attitude": 5, "solved": ""},
        comment="师傅很专业",
    )
    survey.refresh_from_db()
    assert survey.csat == 5 and survey.comment == "师傅很专业" and survey.answered_at is not None
    assert dict(SurveyAnswer.objects.values_list("question__code", "score")) == {
        "timely": 4,
        "attitude": 5,
    }
    event = ticket.events.get(kind="survey_answered")
    assert event.data["csat"] == 5 and event.public is False and "师傅很专业" in event.body
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_a_second_answer_is_refused_politely_and_changes_nothing(resolved):
    ticket = resolved()
    services.answer_survey(token=ticket.survey.token, csat=4)
    with pytest.raises(Conflict) as err:
        services.answer_survey(token=ticket.survey.token, csat=1, comment="改主意了")
    assert err.value.code == "already_answered"
    survey = Survey.objects.get(ticket=ticket)
    assert survey.csat == 4 and survey.comment == ""
    assert FollowUp.objects.count() == 0 and kinds(ticket).count("survey_answered") == 1


@pytest.mark.parametrize(
    ("csat", "answers", "field"),
    [
        (None, {}, "csat"),
        ("6", {}, "csat"),
        ("0", {}, "csat"),
        ("4.5", {}, "csat"),
        ("很好", {}, "csat"),
        (4, {"speed": 3}, "speed"),
        (4, {"timely": 9}, "timely"),
    ],
)
def test_a_bad_answer_is_refused_and_nothing_is_written(resolved, csat, answers, field):
    ticket = resolved()
    with pytest.raises(InvalidInput) as err:
        services.answer_survey(token=ticket.survey.token, csat=csat, answers=answers)
    assert err.value.field == field
    assert (
        Survey.objects.get(ticket=ticket).answered_at is None and not SurveyAnswer.objects.exists()
    )


def test_a_closed_survey_and_an_unknown_link_are_refused(resolved):
    ticket = resolved()
    Survey.objects.filter(ticket=ticket).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(Conflict) as err:
        services.answer_survey(token=ticket.survey.token, csat=5)
    assert err.value.code == "expired"
    with pytest.raises(NotFound):
        services.answer_survey(token="no-such-token", csat=5)


def test_a_low_score_reopens_the_ticket_to_the_store_manager_with_a_follow_up_call(resolved, users):
    ticket = resolved()
    heard = []
    ticket_signals.status_changed.connect(
        receiver := lambda **kw: heard.append((kw["previous"], kw["status"], kw["actor"])),
        weak=False,
    )
    try:
        services.answer_survey(token=ticket.survey.token, csat=2, comment="等了一个星期")
    finally:
        ticket_signals.status_changed.disconnect(receiver)
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.resolved_at is None
    assert ticket.escalation_tier == "store_manager" and ticket.assignee == users["manager_sh001"]
    assert heard == [("resolved", "open", None)]
    followup = FollowUp.objects.get(ticket=ticket)
    assert (
        followup.reason == "low_score"
        and followup.assignee == users["manager_sh001"]
        and followup.done_at is None
    )
    assert followup.due_on == timezone.localdate() + datetime.timedelta(days=2)
    assert kinds(ticket)[-6:] == [
        "survey_answered",
        "status",
        "escalated",
        "assigned",
        "followup_created",
        "feedback_notice",
    ]
    status = ticket.events.get(kind="status", data__reason="low_score")
    assert status.public is True and status.data["reopened"] is True
    notices = Notification.objects.filter(kind="customer_voice")
    assert [(n.recipient.username, n.ticket_id) for n in notices] == [("manager_sh001", ticket.pk)]


def test_with_two_store_managers_the_reopened_ticket_waits_at_the_store_manager_rung(
    resolved, chain
):
    StaffFactory(
        user=UserFactory(username="manager2_sh001"),
        role="store_manager",
        store=chain["stores"]["SH001"],
    )
    ticket = resolved()
    services.answer_survey(token=ticket.survey.token, csat=1)
    ticket.refresh_from_db()
    assert (
        ticket.status == "open"
        and ticket.escalation_tier == "store_manager"
        and ticket.assignee is None
    )
    assert FollowUp.objects.get(ticket=ticket).assignee is None


def test_a_ticket_above_the_store_manager_rung_stays_with_its_owner(chain, users):
    from tests.factories import open_ticket

    ticket = open_ticket(chain["stores"]["SH001"], type="complaint")
    ticket_services.escalate(
        actor=users["cs_agent"], ticket=ticket, reason="顾客要求", to_tier="regional_manager"
    )
    ticket_services.assign(actor=users["cs_agent"], ticket=ticket, assignee="region_east")
    from kefu.quality.services import set_root_cause

    set_root_cause(actor=users["region_east"], ticket=ticket, code="slow_service")
    ticket = ticket_services.change_status(
        actor=users["region_east"], ticket=ticket, status="resolved"
    )
    services.answer_survey(token=ticket.survey.token, csat=1)
    ticket.refresh_from_db()
    assert (
        ticket.status == "open"
        and ticket.escalation_tier == "regional_manager"
        and ticket.assignee == users["region_east"]
    )
    assert FollowUp.objects.get(ticket=ticket).assignee == users["manager_sh001"]


def test_a_closed_ticket_reopens_too(resolved, users):
    ticket = resolved()
    ticket_services.change_status(actor=users["cs_agent"], ticket=ticket, status="closed")
    services.answer_survey(token=ticket.survey.token, csat=1)
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_a_middling_score_does_not_reopen_but_the_threshold_is_data(resolved):
    ticket = resolved()
    services.answer_survey(token=ticket.survey.token, csat=3)
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved" and not FollowUp.objects.exists()
    FeedbackSettings.objects.filter(pk=1).update(low_score_threshold=3)
    other = resolved()
    services.answer_survey(token=other.survey.token, csat=3)
    assert (
        Ticket.objects.get(pk=other.pk).status == "open"
        and FollowUp.objects.filter(ticket=other).exists()
    )


MAIL = {"EMAIL_HOST": "smtp.example.com", "KEFU_PUBLIC_URL": "https://kefu.example.com/"}


def test_the_survey_link_reaches_a_customer_on_mail_once(
    resolved, settings, django_capture_on_commit_callbacks
):
    """Bug: feedback mailed the survey and the channels pipeline's "resolved" mail carried the
    same link — two mails. Now only the pipeline tells the customer (on their channel)."""
    settings.EMAIL_HOST, settings.KEFU_PUBLIC_URL = MAIL["EMAIL_HOST"], MAIL["KEFU_PUBLIC_URL"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    customer = CustomerFactory(email="zhang@example.com", phone=None, name="张伟")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = resolved(customer=customer)
    survey = Survey.objects.get(ticket=ticket)
    link = f"https://kefu.example.com/survey/{survey.token}/"
    with_link = [m for m in mail.outbox if link in m.body]
    assert len(with_link) == 1, [m.subject for m in mail.outbox]
    assert with_link[0].to == ["zhang@example.com"] and ticket.number in with_link[0].subject
    assert ticket.events.get(kind="survey_sent").data["channels"] == ["link"]


@pytest.mark.parametrize(
    ("configured", "email", "consent"),
    [(False, "a@example.com", True), (True, "", True), (True, "a@example.com", False)],
)
def test_no_mail_without_configuration_an_address_or_consent(
    resolved, settings, django_capture_on_commit_callbacks, configured, email, consent
):
    if configured:
        settings.EMAIL_HOST, settings.KEFU_PUBLIC_URL = MAIL["EMAIL_HOST"], MAIL["KEFU_PUBLIC_URL"]
    with django_capture_on_commit_callbacks(execute=True):
        ticket = resolved(customer=CustomerFactory(email=email, consent_contact=consent))
    assert mail.outbox == [] and Survey.objects.get(ticket=ticket).mailed_at is None
    assert ticket.events.get(kind="survey_sent").data["channels"] == ["link"]


def test_a_mail_outage_never_undoes_the_resolution(
    resolved, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.EMAIL_HOST, settings.KEFU_PUBLIC_URL = MAIL["EMAIL_HOST"], MAIL["KEFU_PUBLIC_URL"]

    def down(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.send_mail", down)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = resolved(customer=CustomerFactory(email="a@example.com"))
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    survey = Survey.objects.get(ticket=ticket)
    assert survey.mailed_at is None and mail.outbox == []
    # The link still works on the tracking page, and a later retry sends the mail once.
    monkeypatch.undo()
    assert services.mail_survey(survey.pk) is True and services.mail_survey(survey.pk) is False
    assert len(mail.outbox) == 1


def test_a_low_score_on_a_ticket_already_being_worked_again_keeps_its_assignee_without_a_sole_manager(
    resolved, chain, users
):
    StaffFactory(
        user=UserFactory(username="manager2_sh001"),
        role="store_manager",
        store=chain["stores"]["SH001"],
    )
    ticket = resolved()
    ticket_services.add_customer_message(ticket=ticket, body="还是不行")
    ticket = Ticket.objects.get(pk=ticket.pk)
    ticket_services.escalate(actor=users["cs_agent"], ticket=ticket, reason="顾客要求店长处理")
    ticket_services.assign(actor=users["cs_agent"], ticket=ticket, assignee="manager2_sh001")
    services.answer_survey(token=Survey.objects.get(ticket=ticket).token, csat=1)
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.escalation_tier == "store_manager"
    assert ticket.assignee.username == "manager2_sh001"
