"""Ticket services: numbering, workflow, the ladder, optimistic locking, attachments."""

import re

import pytest
from django.utils import timezone

from kefu.errors import Conflict, Forbidden, InvalidInput, StaleWrite
from kefu.tickets import services
from kefu.tickets.models import EventKind, Status, Ticket, TicketEvent
from tests.factories import CustomerFactory, open_ticket

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def test_ticket_numbers_follow_the_day_and_count_up(chain):
    a = open_ticket(chain["stores"]["SH001"])
    b = open_ticket(chain["stores"]["SH001"])
    day = timezone.localdate().strftime("%Y%m%d")
    assert re.fullmatch(rf"KF-{day}-\d{{6}}", a.number)
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1


def test_opening_records_a_created_event_and_the_store_region(chain):
    ticket = open_ticket(chain["stores"]["BJ001"])
    assert ticket.region == chain["regions"]["north"]
    assert ticket.status == Status.NEW and ticket.escalation_tier == "store_staff"
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_store_staff_cannot_open_a_ticket_for_another_store(chain, users):
    with pytest.raises(InvalidInput) as err:
        open_ticket(chain["stores"]["BJ001"], actor=users["staff_sh001"])
    assert err.value.field == "store"
    assert Ticket.objects.count() == 0


def test_bad_type_is_refused_and_nothing_is_written(chain):
    with pytest.raises(InvalidInput) as err:
        open_ticket(chain["stores"]["SH001"], type="gossip")
    assert err.value.field == "type"
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


def test_same_idempotency_key_gives_back_the_first_ticket(chain, users):
    customer = CustomerFactory()
    first = open_ticket(chain["stores"]["SH001"], customer=customer, idempotency_key="k-1")
    again, created = services.open_ticket(
        actor=users["cs_agent"],
        type="complaint",
        channel="phone",
        subject="x",
        store="SH001",
        customer=customer,
        idempotency_key="k-1",
    )
    assert again.pk == first.pk and created is False
    assert Ticket.objects.count() == 1


def test_first_public_reply_opens_the_ticket_and_stamps_first_response(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    services.add_reply(
        actor=users["staff_sh001"], ticket=ticket, body="张先生您好，我们已安排师傅上门。"
    )
    ticket.refresh_from_db()
    assert (
        ticket.status == Status.OPEN
        and ticket.first_response_at is not None
        and ticket.version == 2
    )


def test_internal_note_is_not_public_and_does_not_count_as_a_response(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    event = services.add_reply(
        actor=users["staff_sh001"], ticket=ticket, body="顾客情绪激动", public=False
    )
    ticket.refresh_from_db()
    assert (
        event.public is False and ticket.first_response_at is None and ticket.status == Status.NEW
    )


def test_empty_reply_is_refused(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    with pytest.raises(InvalidInput):
        services.add_reply(actor=users["staff_sh001"], ticket=ticket, body="   ")
    assert ticket.events.count() == 1


def test_workflow_refuses_invalid_transitions_with_a_clear_message(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    services.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    services.change_status(actor=users["cs_agent"], ticket=ticket, status="closed")
    with pytest.raises(Conflict) as err:
        services.change_status(actor=users["cs_agent"], ticket=ticket, status="pending_customer")
    assert "cannot become" in str(err.value.message) or "不能" in err.value.text()


def test_reopen_from_closed_is_allowed_and_recorded(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    for status in ("resolved", "closed", "open"):
        services.change_status(actor=users["cs_agent"], ticket=ticket, status=status)
    last = ticket.events.filter(kind=EventKind.STATUS).last()
    assert last.data == {"previous": "closed", "status": "open", "reopened": True}
    ticket.refresh_from_db()
    assert ticket.resolved_at is None


def test_ladder_climbs_one_rung_at_a_time_and_stops_at_the_top(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    services.assign(actor=users["manager_sh001"], ticket=ticket, assignee="staff_sh001")
    rungs = []
    for _ in range(3):
        rungs.append(
            services.escalate(
                actor=users["cs_agent"], ticket=ticket, reason="顾客要求上级处理"
            ).escalation_tier
        )
    assert rungs == ["store_manager", "regional_manager", "cs_department"]
    ticket.refresh_from_db()
    assert ticket.assignee is None  # back to the new rung's queue
    with pytest.raises(Conflict):
        services.escalate(actor=users["cs_agent"], ticket=ticket, reason="再升级")
    assert ticket.events.filter(kind=EventKind.ESCALATED).count() == 3


def test_stale_version_is_refused_and_changes_nothing(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    services.add_reply(
        actor=users["staff_sh001"], ticket=ticket, body="您好，已收到。", expected_version=1
    )
    with pytest.raises(StaleWrite):
        services.change_status(
            actor=users["manager_sh001"], ticket=ticket, status="resolved", expected_version=1
        )
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.version == 2


def test_assign_only_to_colleagues_who_can_see_the_store(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    with pytest.raises(InvalidInput):
        services.assign(actor=users["cs_agent"], ticket=ticket, assignee="staff_bj001")
    services.assign(actor=users["cs_agent"], ticket=ticket, assignee="staff_sh001")
    ticket.refresh_from_db()
    assert ticket.assignee == users["staff_sh001"] and ticket.status == Status.OPEN


def test_store_staff_may_only_take_tickets_themselves(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    with pytest.raises(Forbidden):
        services.assign(actor=users["staff_sh001"], ticket=ticket, assignee="manager_sh001")
    services.assign(actor=users["staff_sh001"], ticket=ticket, assignee="staff_sh001")


def test_trainer_is_read_only(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    with pytest.raises(Forbidden):
        services.add_reply(actor=users["trainer"], ticket=ticket, body="您好")


def test_customer_message_reopens_a_resolved_ticket_but_not_a_closed_one(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    services.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    services.add_customer_message(ticket=ticket, body="还是不制冷")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    services.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    services.change_status(actor=users["cs_agent"], ticket=ticket, status="closed")
    with pytest.raises(Conflict):
        services.add_customer_message(ticket=ticket, body="又坏了")


def test_attachment_type_comes_from_the_bytes_not_the_name(chain, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = open_ticket(chain["stores"]["SH001"])
    photo = services.add_attachment(
        actor=users["cs_agent"], ticket=ticket, name="故障.pdf", data=PNG
    )
    assert photo.content_type == "image/png"
    assert (
        services.add_attachment(
            actor=users["cs_agent"], ticket=ticket, name="发票", data=PDF
        ).content_type
        == "application/pdf"
    )
    with pytest.raises(InvalidInput):
        services.add_attachment(
            actor=users["cs_agent"], ticket=ticket, name="photo.jpg", data=b"MZ\x90\x00 not a photo"
        )
    assert ticket.attachments.count() == 2


def test_attachment_size_limit(chain, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KEFU_ATTACHMENT_MAX_BYTES = 100
    ticket = open_ticket(chain["stores"]["SH001"])
    with pytest.raises(InvalidInput):
        services.add_attachment(
            actor=users["cs_agent"], ticket=ticket, name="big.png", data=PNG + b"0" * 200
        )
