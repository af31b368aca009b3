"""The breach sweep: warnings at 75%, breaches at 100%, the escalation ladder, idempotence, cost,
and two sweeps at once on PostgreSQL."""

import datetime
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from kefu.notifications.models import Notification
from kefu.org.roles import Tier
from kefu.sla import services, tasks
from kefu.sla.models import SlaClock
from kefu.sla.services import escalate_breaches, sweep
from kefu.tickets import services as tickets
from kefu.tickets.models import EventKind, Ticket, TicketEvent
from tests.factories import open_ticket
from tests.sla.conftest import at

H = timedelta(hours=1)


def kinds(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


def notified(username, kind=None):
    rows = Notification.objects.filter(recipient__username=username)
    return rows.filter(kind=kind) if kind else rows


@pytest.fixture
def complaint(chain, office_store):
    """A complaint opened the afternoon before National Day: first response due 10-08 12:00
    (warning 11:00), on office hours."""
    with time_machine.travel(at(2026, 9, 30, 17), tick=False):
        return open_ticket(
            office_store, type="complaint", subject="售后服务太慢", description="报修一周无人上门"
        )


@pytest.mark.django_db
def test_nothing_happens_during_the_national_day_holiday(complaint):
    with time_machine.travel(at(2026, 10, 7, 23), tick=False):
        assert sweep()["tickets"] == 0
    assert kinds(complaint) == [EventKind.CREATED]


@pytest.mark.django_db
def test_warning_at_75_percent_tells_the_holder(complaint):
    with time_machine.travel(at(2026, 10, 8, 11), tick=False):
        report = sweep()
    assert report["warnings"] == 1 and report["breaches"] == 0
    event = TicketEvent.objects.get(ticket=complaint, kind=EventKind.SLA_WARNING)
    assert event.data["target"] == "first_response" and event.data["tier"] == Tier.STORE_STAFF
    assert (
        notified("staff_sh001", "sla_warning").count() == 1
    )  # the rung's people: nobody is assigned
    assert not notified("staff_sh002").exists() and not notified("manager_sh001").exists()


@pytest.mark.django_db
def test_warning_goes_to_the_assignee_when_there_is_one(complaint, users):
    tickets.assign(actor=users["manager_sh001"], ticket=complaint, assignee="staff_sh001")
    with time_machine.travel(at(2026, 10, 8, 11), tick=False):
        sweep()
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == [
        "staff_sh001"
    ]


@pytest.mark.django_db
def test_breach_escalates_a_complaint_one_rung_and_tells_that_rung(complaint):
    with time_machine.travel(at(2026, 10, 8, 12), tick=False):
        report = sweep()
    t = Ticket.objects.get(pk=complaint.pk)
    assert report["breaches"] == 1 and report["escalations"] == 1
    assert t.escalation_tier == Tier.STORE_MANAGER and t.sla_breached == ["first_response"]
    breach = t.events.get(kind=EventKind.SLA_BREACH)
    assert breach.data == {**breach.data, "target": "first_response", "tier": Tier.STORE_STAFF}
    escalated = t.events.get(kind=EventKind.ESCALATED)
    assert escalated.data["automatic"] is True and escalated.actor is None
    assert (
        escalated.data["previous"] == Tier.STORE_STAFF
        and escalated.data["tier"] == Tier.STORE_MANAGER
    )
    assert notified("manager_sh001", "escalated").count() == 1
    # The warning instant had passed too; a breach does not also send a stale warning.
    assert not t.events.filter(kind=EventKind.SLA_WARNING).exists()


@pytest.mark.django_db
def test_a_breach_escalates_once_however_many_sweeps_see_it(complaint):
    for minute in range(0, 5):
        with time_machine.travel(at(2026, 10, 8, 12, minute), tick=False):
            sweep()
    t = Ticket.objects.get(pk=complaint.pk)
    assert t.escalation_tier == Tier.STORE_MANAGER
    assert t.events.filter(kind=EventKind.ESCALATED).count() == 1
    assert t.events.filter(kind=EventKind.SLA_BREACH).count() == 1


@pytest.mark.django_db
def test_an_escalation_task_that_runs_twice_climbs_once(complaint, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "_queue_escalations", queued.extend)  # hold the task back
    with time_machine.travel(at(2026, 10, 8, 12), tick=False):
        assert sweep()["escalations"] == 1
        assert Ticket.objects.get(pk=complaint.pk).escalation_tier == Tier.STORE_STAFF
        assert escalate_breaches(queued) == 1
        assert escalate_breaches(queued) == 0
    t = Ticket.objects.get(pk=complaint.pk)
    assert (
        t.escalation_tier == Tier.STORE_MANAGER
        and t.events.filter(kind=EventKind.ESCALATED).count() == 1
    )
    assert SlaClock.objects.get(ticket=complaint, target="first_response").escalated_at == at(
        2026, 10, 8, 12
    )


@pytest.mark.django_db
def test_a_lost_escalation_is_queued_again_by_a_later_sweep(complaint, monkeypatch):
    monkeypatch.setattr(services, "_queue_escalations", lambda ids: None)  # the queue lost it
    with time_machine.travel(at(2026, 10, 8, 12), tick=False):
        sweep()
    monkeypatch.undo()
    with time_machine.travel(at(2026, 10, 8, 12, 3), tick=False):
        sweep()  # too early to call it lost
    assert Ticket.objects.get(pk=complaint.pk).escalation_tier == Tier.STORE_STAFF
    with time_machine.travel(at(2026, 10, 8, 12, 6), tick=False):
        sweep()
    t = Ticket.objects.get(pk=complaint.pk)
    assert (
        t.escalation_tier == Tier.STORE_MANAGER
        and t.events.filter(kind=EventKind.ESCALATED).count() == 1
    )


@pytest.mark.django_db
def test_no_escalation_once_the_ticket_is_resolved(complaint, users, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "_queue_escalations", queued.extend)
    with time_machine.travel(at(2026, 10, 8, 12), tick=False):
        sweep()
        from kefu.quality.services import set_root_cause

        set_root_cause(
            actor=users["cs_agent"], ticket=complaint, code="slow_service"
        )  # a complaint needs its root cause
        tickets.change_status(actor=users["cs_agent"], ticket=complaint, status="resolved")
        assert escalate_breaches(queued) == 0
    assert Ticket.objects.get(pk=complaint.pk).escalation_tier == Tier.STORE_STAFF


@pytest.mark.django_db
def test_later_breaches_climb_the_ladder_rung_by_rung(complaint):
    # First response breaches on 10-08 12:00 (→ store manager); resolution on 10-13 12:00.
    for when in (at(2026, 10, 8, 12), at(2026, 10, 13, 12)):
        with time_machine.travel(when, tick=False):
            sweep()
    t = Ticket.objects.get(pk=complaint.pk)
    assert t.escalation_tier == Tier.REGIONAL_MANAGER
    assert t.sla_breached == ["first_response", "resolution"]
    assert notified("region_east", "escalated").count() == 1


@pytest.mark.django_db
def test_a_fault_report_breach_notifies_the_next_rung_without_escalating(chain):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="fault_report")
    with time_machine.travel(at(2026, 3, 3, 10, 1), tick=False):  # 24 calendar hours later
        report = sweep()
    t = Ticket.objects.get(pk=ticket.pk)
    assert (
        report["breaches"] == 1
        and report["escalations"] == 0
        and t.escalation_tier == Tier.STORE_STAFF
    )
    assert notified("manager_sh001", "sla_breach").count() == 1


@pytest.mark.django_db
def test_a_breach_at_the_top_rung_tells_the_cs_managers(chain):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(
            chain["stores"]["SH001"], type="complaint", description="我要找媒体曝光"
        )
    assert Ticket.objects.get(pk=ticket.pk).escalation_tier == Tier.CS_DEPARTMENT
    Notification.objects.all().delete()
    with time_machine.travel(at(2026, 3, 3, 10), tick=False):
        report = sweep()
    assert report["breaches"] >= 1 and report["escalations"] == 0
    assert notified("cs_manager", "sla_breach").exists()


@pytest.mark.django_db
def test_paused_tickets_are_not_swept(chain, users):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="consultation")
        tickets.change_status(actor=users["cs_agent"], ticket=ticket, status="pending_customer")
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):
        assert sweep()["tickets"] == 0


@pytest.mark.django_db
def test_the_sweep_reads_only_due_tickets_through_the_index(chain, django_assert_max_num_queries):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        for _ in range(5):
            open_ticket(chain["stores"]["SH001"], type="consultation")
    with time_machine.travel(at(2026, 3, 2, 12), tick=False):
        # Inside a savepoint: stale escalations to retry (none), then the due tickets (none).
        with django_assert_max_num_queries(4) as nothing_due:
            assert sweep()["tickets"] == 0
    [sql] = [
        q["sql"]
        for q in nothing_due.captured_queries
        if q["sql"].startswith('SELECT "tickets_ticket"')
    ]
    assert '"sla_next_due" <=' in sql and "LIMIT" in sql
    with time_machine.travel(at(2026, 3, 3, 4, 1), tick=False):  # every warning due (18 h)
        with django_assert_max_num_queries(12) as five:
            assert sweep()["warnings"] == 5
    with time_machine.travel(at(2026, 3, 2, 10, 30), tick=False):
        for _ in range(20):
            open_ticket(chain["stores"]["SH001"], type="consultation")
    with time_machine.travel(at(2026, 3, 3, 4, 31), tick=False):  # 20 more warnings due
        with django_assert_max_num_queries(len(five.captured_queries)):
            assert sweep()["warnings"] == 20


@pytest.mark.django_db
def test_the_periodic_task_runs_every_minute_and_sweeps(complaint):
    task = tasks.sla_sweep.s()
    assert all(
        task.validate_datetime(at(2026, 10, 8, 12, m).replace(tzinfo=None)) for m in range(60)
    )
    with time_machine.travel(at(2026, 10, 8, 12), tick=False):
        result = tasks.sla_sweep.call_local()
    assert result["escalations"] == 1
    # A second consumer's run in the same minute skips; the next minute sweeps again.
    with time_machine.travel(at(2026, 10, 8, 12, 0) + datetime.timedelta(seconds=40), tick=False):
        assert "skipped" in tasks.sla_sweep.call_local()
    with time_machine.travel(at(2026, 10, 8, 12, 1), tick=False):
        assert "skipped" not in tasks.sla_sweep.call_local()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_escalate_each_breach_once(seeded):
    from tests.factories import build_chain

    chain = build_chain()
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        opened = [open_ticket(chain["stores"]["SH001"], type="complaint") for _ in range(30)]
    assert connection.vendor == "postgresql"
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            reports.append(sweep(batch_size=7))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    with time_machine.travel(at(2026, 3, 3, 10), tick=False):  # patches the clock for every thread
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    ids = [t.pk for t in opened]
    assert sum(r["escalations"] for r in reports) == 30 == sum(r["tickets"] for r in reports)
    assert TicketEvent.objects.filter(ticket_id__in=ids, kind=EventKind.ESCALATED).count() == 30
    assert TicketEvent.objects.filter(ticket_id__in=ids, kind=EventKind.SLA_BREACH).count() == 30
    assert set(Ticket.objects.filter(pk__in=ids).values_list("escalation_tier", flat=True)) == {
        Tier.STORE_MANAGER
    }
    assert not SlaClock.objects.filter(
        ticket_id__in=ids, target="first_response", breached_at__isnull=True
    ).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_running_the_same_escalations_climb_once(seeded, monkeypatch):
    from tests.factories import build_chain

    chain = build_chain()
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        opened = [open_ticket(chain["stores"]["SH001"], type="complaint") for _ in range(20)]
    queued = []
    monkeypatch.setattr(services, "_queue_escalations", queued.extend)
    with time_machine.travel(at(2026, 3, 3, 10), tick=False):
        sweep()
    barrier, climbed, errors = threading.Barrier(2), [], []

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            climbed.append(escalate_breaches(queued))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [t.pk for t in opened]
    assert not errors and sum(climbed) == 20
    assert TicketEvent.objects.filter(ticket_id__in=ids, kind=EventKind.ESCALATED).count() == 20
    assert set(Ticket.objects.filter(pk__in=ids).values_list("escalation_tier", flat=True)) == {
        Tier.STORE_MANAGER
    }
