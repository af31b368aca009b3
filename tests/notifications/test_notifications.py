"""Notifications: the service, the desk bell with its unread count, the page, mark read, the API,
and e-mail copies only when mail is configured."""

import json

import pytest
from django.core import mail

from kefu.notifications.models import Notification
from kefu.notifications.selectors import unread_count
from kefu.notifications.services import mark_read, notify
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def test_notify_creates_one_per_distinct_recipient_and_skips_the_actor(users, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    a, b = users["staff_sh001"], users["manager_sh001"]
    assert (
        notify([a.pk, a.pk, b.pk], kind="escalated", text="KF: 升级", ticket=ticket, exclude=b.pk)
        == 1
    )
    n = Notification.objects.get()
    assert (n.recipient, n.ticket_id, n.read_at) == (a, ticket.pk, None)


def test_mark_read_touches_only_the_readers_own(users):
    a, b = users["staff_sh001"], users["manager_sh001"]
    notify([a.pk, b.pk], kind="sla_warning", text="t")
    notify([a.pk], kind="sla_warning", text="u")
    assert mark_read(a) == 2 and unread_count(a) == 0 and unread_count(b) == 1
    theirs = Notification.objects.get(recipient=b)
    assert mark_read(a, [theirs.pk]) == 0 and unread_count(b) == 1


def test_the_bell_shows_the_unread_count(desk, users):
    user = users["staff_sh001"]
    client = desk("staff_sh001")
    assert 'data-testid="bell-count"' not in client.get("/desk/").content.decode()
    notify([user.pk], kind="sla_warning", text="KF-1: 75%")
    notify([user.pk], kind="sla_breach", text="KF-2: breached")
    html = client.get("/desk/").content.decode()
    assert 'data-testid="bell-count">2<' in html
    assert 'data-testid="bell-count">2<' in client.get("/desk/notifications/bell/").content.decode()


def test_the_bell_caps_its_count(desk, users):
    user = users["staff_sh001"]
    notify([user.pk], kind="sla_warning", text="x")
    Notification.objects.bulk_create(
        [Notification(recipient=user, kind="sla_warning", text=str(i)) for i in range(120)]
    )
    assert 'data-testid="bell-count">99+<' in desk("staff_sh001").get("/desk/").content.decode()


def test_the_page_lists_and_marks_read(desk, users, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    user = users["staff_sh001"]
    notify([user.pk], kind="escalated", text="KF 升级到店长", ticket=ticket)
    notify([users["manager_sh001"].pk], kind="escalated", text="not yours")
    client = desk("staff_sh001")
    html = client.get("/desk/notifications/").content.decode()
    assert "KF 升级到店长" in html and "not yours" not in html
    # The link to the ticket says so (not 创建工单, the new-ticket button's words).
    assert "查看工单" in html and "创建工单" not in html
    n = Notification.objects.get(recipient=user)
    r = client.post(f"/desk/notifications/{n.pk}/read/", {"open": "1"})
    assert r.status_code == 302 and r["Location"] == f"/desk/tickets/{ticket.pk}/"
    assert unread_count(user) == 0
    notify([user.pk], kind="sla_warning", text="again")
    assert (
        client.post("/desk/notifications/read-all/").status_code == 302 and unread_count(user) == 0
    )
    assert (
        client.get(f"/desk/notifications/{n.pk}/read/").status_code == 405
    )  # state changes are POSTs


def test_the_api_lists_and_marks_read(api, users):
    user = users["cs_agent"]
    notify([user.pk], kind="sla_warning", text="a")
    notify([user.pk], kind="sla_warning", text="b")
    body = api("cs_agent").get("/api/v1/notifications").json()
    assert body["unread"] == 2 and [n["text"] for n in body["items"]] == ["b", "a"]
    first = body["items"][1]["id"]
    r = api("cs_agent").post(
        "/api/v1/notifications/read",
        data=json.dumps({"ids": [first]}),
        content_type="application/json",
    )
    assert r.json() == {"marked": 1}
    assert api("cs_agent").get("/api/v1/notifications?unread=true").json()["unread"] == 1


def test_no_mail_without_an_smtp_host(users, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = ""
    users["staff_sh001"].email = "wang@example.com"
    users["staff_sh001"].save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([users["staff_sh001"].pk], kind="sla_warning", text="x")
    assert mail.outbox == []


def test_mail_copies_when_an_smtp_host_is_configured(
    users, chain, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.com"
    ticket = open_ticket(chain["stores"]["SH001"])
    users["staff_sh001"].email = "wang@example.com"
    users["staff_sh001"].save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [users["staff_sh001"].pk, users["manager_sh001"].pk],
            kind="sla_breach",
            text="KF 超时",
            ticket=ticket,
        )
    assert len(mail.outbox) == 1  # the manager has no address
    assert mail.outbox[0].to == ["wang@example.com"] and ticket.number in mail.outbox[0].subject
    assert mail.outbox[0].body == "KF 超时"


@pytest.mark.django_db
def test_a_low_survey_score_rings_the_store_managers_bell(chain, users):
    """The customer's voice reaches people through the same bell as SLA warnings."""
    from kefu.feedback import services as feedback
    from kefu.notifications.models import Notification
    from kefu.tickets import services as tickets
    from tests.factories import open_ticket

    ticket = open_ticket(chain["stores"]["SH001"], type="fault_report")
    tickets.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    ticket.refresh_from_db()
    feedback.answer_survey(token=ticket.survey.token, csat=1, comment="师傅没修好")
    rung = Notification.objects.filter(
        recipient=users["manager_sh001"], ticket=ticket, kind="customer_voice"
    )
    assert rung.exists()
