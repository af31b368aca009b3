"""Outgoing webhooks: signed ticket events to an integrator's local endpoint, no personal data,
retried with backoff, switched off after repeated failures with a notice to the admins."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.channels.models import Webhook, WebhookDelivery
from kefu.channels.webhooks import post_due
from kefu.notifications.models import Notification
from kefu.tickets import services as ticket_services
from tests.factories import CustomerFactory, open_ticket

from .providers import Server, WebhookReceiver

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_created_replied_resolved_are_posted_signed_without_personal_data(
    chain, users, django_capture_on_commit_callbacks
):
    with Server(WebhookReceiver, secret="hooksecret") as server:
        Webhook.objects.create(name="ERP", url=server.url + "/hook", secret="hooksecret")
        Webhook.objects.create(
            name="只要解决", url=server.url + "/other", secret="hooksecret", events=["resolved"]
        )
        customer = CustomerFactory(phone="13912345678", name="王芳")
        with django_capture_on_commit_callbacks(execute=True):
            ticket = open_ticket(chain["stores"]["SH001"], customer=customer)
        with django_capture_on_commit_callbacks(execute=True):
            ticket_services.add_reply(actor=users["cs_agent"], ticket=ticket, body="您好，已收到。")
        with django_capture_on_commit_callbacks(execute=True):
            ticket_services.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
        seen = [(r["event"], r["good"]) for r in server.state["requests"]]
    assert seen.count(("created", True)) == 1 and seen.count(("replied", True)) == 1
    assert seen.count(("resolved", True)) == 2  # both hooks subscribe to it
    body = str([r["body"] for r in server.state["requests"]])
    assert ticket.number in body and "13912345678" not in body and "王芳" not in body
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"sent"}


@time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH), tick=False)
def test_failures_are_retried_then_the_hook_is_switched_off_and_admins_told(
    chain, users, settings, django_capture_on_commit_callbacks
):
    with Server(WebhookReceiver, secret="hooksecret", status=500) as server:
        hook = Webhook.objects.create(name="ERP", url=server.url + "/hook", secret="hooksecret")
        for _ in range(10):
            with django_capture_on_commit_callbacks(execute=True):
                open_ticket(chain["stores"]["SH001"])
        row = WebhookDelivery.objects.first()
        assert (row.status, row.response_code) == ("retrying", 500)
        assert row.not_before == dt.datetime(2026, 5, 6, 10, 1, tzinfo=SH)
    hook.refresh_from_db()
    assert not hook.is_active and hook.consecutive_failures == 10
    assert Notification.objects.filter(recipient=users["admin"], kind="webhook_disabled").exists()
    # Switched off: the pending retries are skipped, nothing more is posted.
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, 5, tzinfo=SH), tick=False):
        post_due()
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"skipped"}


@time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH), tick=False)
def test_a_failed_post_is_retried_with_growing_backoff_and_logged_in_the_admin(
    chain, users, desk, django_capture_on_commit_callbacks
):
    with Server(WebhookReceiver, secret="hooksecret", status=503) as server:
        hook = Webhook.objects.create(name="ERP", url=server.url + "/hook", secret="hooksecret")
        with django_capture_on_commit_callbacks(execute=True):
            open_ticket(chain["stores"]["SH001"])
        row = WebhookDelivery.objects.get()
        assert (row.status, row.attempts) == ("retrying", 1)
        assert row.not_before == dt.datetime(2026, 5, 6, 10, 1, tzinfo=SH)  # 60 s
        with time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, 30, tzinfo=SH), tick=False):
            assert post_due() == 0  # not due yet
        with time_machine.travel(dt.datetime(2026, 5, 6, 10, 1, 1, tzinfo=SH), tick=False):
            post_due()
        row.refresh_from_db()
        assert (row.status, row.attempts) == ("retrying", 2)
        assert row.not_before == dt.datetime(2026, 5, 6, 10, 5, 1, tzinfo=SH)  # 60 s × 4
        server.state["status"] = 200
        with time_machine.travel(dt.datetime(2026, 5, 6, 10, 5, 2, tzinfo=SH), tick=False):
            post_due()
        row.refresh_from_db()
        assert (row.status, row.attempts, row.response_code) == ("sent", 3, 200)
        assert len(server.state["requests"]) == 3
    hook.refresh_from_db()
    assert hook.is_active and hook.consecutive_failures == 0
    # the delivery log in the admin (read-only)
    page = desk("admin").get("/admin/channels/webhookdelivery/")
    assert page.status_code == 200 and "ERP" in page.text
