"""SLA clocks as the ticket moves: policy matching, due times on business calendars (2026 National
Day and Spring Festival with their 调休 make-up Saturdays), pauses, replies, resolution, the
solution timetable, and special cases sent straight to the CS department.

2026 (State Council notice, as shipped in chinese-calendar): Spring Festival 02-15..23 off, make-up
Saturdays 02-14 and 02-28; National Day 10-01..07 off, make-up Saturday 10-10 (and Sunday 09-20).
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from kefu.errors import Conflict, Forbidden, InvalidInput, StaleWrite
from kefu.org.roles import Tier
from kefu.sla import selectors, services
from kefu.sla.calendar import business_time_between
from kefu.sla.models import ClockState, SlaClock, SlaPause, SlaPolicy, SpecialCaseTrigger
from kefu.tickets import services as tickets
from kefu.tickets.models import EventKind, Ticket
from tests.factories import CustomerFactory, open_ticket
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def clock(ticket, target, *states):
    rows = SlaClock.objects.filter(ticket=ticket, target=target)
    if states:
        rows = rows.filter(state__in=states)
    return rows.order_by("-id").first()


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --------------------------------------------------------------------------- policies


@pytest.mark.parametrize(
    ("type", "priority", "vip", "code"),
    [
        ("consultation", "normal", False, "default"),
        ("complaint", "normal", False, "complaint"),
        ("complaint", "urgent", False, "complaint-urgent"),
        ("fault_report", "urgent", False, "fault-urgent"),
        ("fault_report", "normal", False, "fault-report"),
        ("return_exchange", "low", False, "return-exchange"),
        ("consultation", "normal", True, "vip"),
    ],
)
def test_seeded_policies_match_first_by_position(type, priority, vip, code):
    assert (
        selectors.match_policy(type=type, priority=priority, channel="phone", vip=vip).code == code
    )


def test_an_admin_edit_changes_which_policy_wins(chain):
    SlaPolicy.objects.create(
        code="hotline-fast",
        name="Hotline",
        position=1,
        channels=["phone"],
        first_response_minutes=30,
        first_response_calendar="hotline",
    )
    selectors.clear_caches()
    assert (
        selectors.match_policy(type="complaint", priority="normal", channel="phone", vip=False).code
        == "hotline-fast"
    )
    assert (
        selectors.match_policy(type="complaint", priority="normal", channel="email", vip=False).code
        == "complaint"
    )
    SlaPolicy.objects.filter(code="hotline-fast").update(is_active=False)
    selectors.clear_caches()
    assert (
        selectors.match_policy(type="complaint", priority="normal", channel="phone", vip=False).code
        == "complaint"
    )


def test_no_matching_policy_means_no_clocks(chain):
    SlaPolicy.objects.all().delete()
    ticket = open_ticket(chain["stores"]["SH001"])
    assert fresh(ticket).sla_policy == "" and not SlaClock.objects.exists()


# --------------------------------------------------------------------------- due times


def test_everything_gets_a_first_response_within_24_calendar_hours(chain):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):  # a Monday
        ticket = open_ticket(chain["stores"]["SH001"], type="consultation")
    t = fresh(ticket)
    assert t.sla_policy == "default"
    assert t.first_response_due == at(2026, 3, 2, 10) + 24 * H
    # 60 business hours on the store calendar (09:00-21:00 every day): 11 + 12*4 + 1.
    assert t.resolution_due == at(2026, 3, 7, 10)
    assert (
        t.sla_due == t.first_response_due and t.sla_next_due == at(2026, 3, 2, 10) + 18 * H
    )  # the 75% warning


def test_a_complaint_before_national_day_falls_due_after_the_holiday(chain, office_store):
    with time_machine.travel(at(2026, 9, 30, 17), tick=False):
        ticket = open_ticket(
            office_store, type="complaint", subject="服务态度差", description="店员态度恶劣"
        )
    t = fresh(ticket)
    # 4 business hours: 17-18 on 09-30, then 10-01..07 off, then 09:00-12:00 on 10-08.
    assert t.first_response_due == at(2026, 10, 8, 12)
    assert clock(t, "first_response").warn_at == at(2026, 10, 8, 11)  # 75% = 3 h
    # 36 business hours: 1 (09-30) + 8 (10-08) + 8 (10-09) + 8 (Sat 10-10, 调休 make-up day)
    # + 8 (Mon 10-12; Sun 10-11 closed) + 3 on 10-13.
    assert t.resolution_due == at(2026, 10, 13, 12)


def test_spring_festival_make_up_saturday_counts_as_a_working_day(chain, office_store):
    with time_machine.travel(at(2026, 2, 13, 16), tick=False):  # Friday before the holiday
        ticket = open_ticket(office_store, type="complaint")
    # 2 h on 02-13, 2 h on Saturday 02-14 (make-up day), not on 02-16 after the break.
    assert fresh(ticket).first_response_due == at(2026, 2, 14, 11)


# --------------------------------------------------------------------------- pauses


def test_a_pause_over_spring_festival_moves_due_times_by_exactly_the_paused_business_time(
    chain, users, office_store
):
    agent = users["cs_agent"]
    with time_machine.travel(at(2026, 2, 13, 10), tick=False):
        ticket = open_ticket(office_store, type="fault_report")
    before = fresh(ticket)
    with time_machine.travel(at(2026, 2, 13, 17), tick=False):
        tickets.change_status(actor=agent, ticket=ticket, status="pending_customer")
    paused = fresh(ticket)
    assert (
        paused.sla_paused_at == at(2026, 2, 13, 17)
        and paused.sla_due is None
        and paused.sla_next_due is None
    )
    with time_machine.travel(at(2026, 2, 24, 10), tick=False):
        tickets.add_customer_message(
            ticket=ticket, body="照片已经拍好了，请看附件。"
        )  # back to open
    after = fresh(ticket)
    office = selectors.get_calendar("backoffice")
    # 17-18 on 02-13, the make-up Saturday 02-14 (8 h), 09-10 on 02-24: 10 business hours.
    assert business_time_between(before.resolution_due, after.resolution_due, office) == 10 * H
    # The first response counts calendar hours, so it moves by the whole pause.
    assert after.first_response_due - before.first_response_due == at(2026, 2, 24, 10) - at(
        2026, 2, 13, 17
    )
    pause = SlaPause.objects.get(ticket=ticket)
    assert (pause.status, pause.started_at, pause.ended_at) == (
        "pending_customer",
        at(2026, 2, 13, 17),
        at(2026, 2, 24, 10),
    )
    assert clock(ticket, "resolution").paused_seconds == 10 * 3600
    assert after.sla_paused_at is None and after.sla_next_due is not None


def test_json_says_paused_while_waiting_for_the_customer(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    tickets.change_status(actor=users["cs_agent"], ticket=ticket, status="on_hold")
    assert selectors.sla_json(fresh(ticket))["paused"] is True
    assert {c.state for c in SlaClock.objects.filter(ticket=ticket)} == {ClockState.PAUSED}


# --------------------------------------------------------------------------- replies and resolution


def test_a_public_reply_stops_the_first_response_clock_but_a_note_does_not(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"], type="consultation")
    tickets.add_reply(actor=users["cs_agent"], ticket=ticket, body="内部备注", public=False)
    assert clock(ticket, "first_response").state == ClockState.RUNNING
    tickets.add_reply(actor=users["cs_agent"], ticket=ticket, body="您好，已为您查询。")
    assert clock(ticket, "first_response").state == ClockState.MET
    assert fresh(ticket).first_response_due is None


def test_each_customer_message_starts_a_next_reply_clock_that_a_reply_stops(chain, users):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="consultation")
        tickets.add_reply(actor=users["cs_agent"], ticket=ticket, body="您好，请问您的型号？")
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        tickets.add_customer_message(ticket=ticket, body="型号是BCD-470")
        tickets.add_customer_message(
            ticket=ticket, body="还有一个问题"
        )  # the reply is already owed
    assert SlaClock.objects.filter(ticket=ticket, target="next_reply").count() == 1
    assert fresh(ticket).next_reply_due == at(2026, 3, 3, 11)
    with time_machine.travel(at(2026, 3, 2, 12), tick=False):
        tickets.add_reply(actor=users["cs_agent"], ticket=ticket, body="好的，马上安排。")
    assert (
        clock(ticket, "next_reply").state == ClockState.MET and fresh(ticket).next_reply_due is None
    )


def test_resolving_stops_the_clocks_and_reopening_resumes_resolution_without_the_resolved_time(
    chain, users
):
    agent = users["cs_agent"]
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="consultation")
    due = fresh(ticket).resolution_due
    with time_machine.travel(at(2026, 3, 2, 12), tick=False):
        tickets.change_status(actor=agent, ticket=ticket, status="resolved")
    t = fresh(ticket)
    assert t.resolution_due is None and t.sla_next_due is None and t.sla_due is None
    assert clock(ticket, "resolution").state == ClockState.MET
    assert clock(ticket, "first_response").state == ClockState.CANCELLED
    with time_machine.travel(at(2026, 3, 2, 15), tick=False):
        tickets.add_customer_message(ticket=ticket, body="还是不行")  # reopens
    store = selectors.get_calendar("store")
    assert business_time_between(due, fresh(ticket).resolution_due, store) == 3 * H
    assert clock(ticket, "resolution").state == ClockState.RUNNING


# --------------------------------------------------------------------------- solution timetable


def test_a_complaint_first_response_needs_the_solution_timetable(chain, users):
    agent = users["cs_agent"]
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = open_ticket(chain["stores"]["SH001"], type="complaint")
        tickets.add_reply(actor=agent, ticket=ticket, body="非常抱歉给您带来不便。")
        assert clock(ticket, "first_response").state == ClockState.RUNNING  # no timetable yet
        services.set_solution_timetable(actor=agent, ticket=ticket, promised_at=at(2026, 3, 4, 18))
    t = fresh(ticket)
    assert clock(ticket, "first_response").state == ClockState.MET
    assert t.solution_promised_at == at(2026, 3, 4, 18) and t.version == ticket.version + 1
    event = t.events.get(kind=EventKind.SOLUTION_TIMETABLE)
    assert event.public and "2026-03-04 18:00" in event.body


def test_timetable_then_reply_also_meets_the_first_response(chain, users):
    agent = users["cs_agent"]
    ticket = open_ticket(chain["stores"]["SH001"], type="fault_report")
    services.set_solution_timetable(actor=agent, ticket=ticket, promised_at=timezone.now() + 48 * H)
    assert clock(ticket, "first_response").state == ClockState.RUNNING
    tickets.add_reply(actor=agent, ticket=fresh(ticket), body="师傅明天上门。")
    assert clock(ticket, "first_response").state == ClockState.MET


def test_timetable_refusals_change_nothing(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"], type="complaint")
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        with pytest.raises(InvalidInput) as err:
            services.set_solution_timetable(
                actor=users["cs_agent"], ticket=ticket, promised_at=at(2026, 3, 1, 10)
            )
        assert err.value.field == "promised_at"
        with pytest.raises(Forbidden):
            services.set_solution_timetable(
                actor=users["trainer"], ticket=ticket, promised_at=at(2026, 3, 3, 10)
            )
        with pytest.raises(StaleWrite):
            services.set_solution_timetable(
                actor=users["cs_agent"],
                ticket=ticket,
                promised_at=at(2026, 3, 3, 10),
                expected_version=ticket.version + 5,
            )
    assert fresh(ticket).solution_promised_at is None
    assert not fresh(ticket).events.filter(kind=EventKind.SOLUTION_TIMETABLE).exists()


def test_no_timetable_for_a_closed_ticket(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    tickets.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    with pytest.raises(Conflict):
        services.set_solution_timetable(
            actor=users["cs_agent"],
            ticket=fresh(ticket),
            promised_at=fresh(ticket).created_at + 48 * H,
        )


# --------------------------------------------------------------------------- special cases


@pytest.mark.parametrize(
    "text",
    [
        "再不处理我就找媒体曝光你们",
        "我已经打了12315",
        "我要找律师起诉",
        "空调插头冒烟了，差点着火",
        "冰箱漏电，孩子被电击受伤",
    ],
)
def test_special_cases_go_straight_to_the_cs_department_at_creation(chain, users, text):
    ticket = open_ticket(chain["stores"]["SH001"], description=text)
    assert ticket.escalation_tier == Tier.CS_DEPARTMENT  # the caller's instance is refreshed too
    event = fresh(ticket).events.get(kind=EventKind.ESCALATED)
    assert event.data["automatic"] is True and event.data["tier"] == Tier.CS_DEPARTMENT
    assert "straight to the customer-service department" in event.body or "客户服务部" in event.body


def test_a_vip_customer_goes_straight_to_the_cs_department(chain):
    ticket = open_ticket(chain["stores"]["SH001"], customer=CustomerFactory(is_vip=True))
    t = fresh(ticket)
    assert t.escalation_tier == Tier.CS_DEPARTMENT and t.sla_policy == "vip"


def test_a_later_customer_message_with_a_threat_escalates_once(chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    assert fresh(ticket).escalation_tier == Tier.STORE_STAFF
    tickets.add_customer_message(ticket=ticket, body="三天了还没人来，我要投诉到消协！")
    tickets.add_customer_message(ticket=ticket, body="我还要找记者。")
    t = fresh(ticket)
    assert t.escalation_tier == Tier.CS_DEPARTMENT
    assert t.events.filter(kind=EventKind.ESCALATED).count() == 1


def test_trigger_words_are_editable_data(chain):
    ticket = open_ticket(chain["stores"]["SH001"], description="我要发到虎扑上")
    assert fresh(ticket).escalation_tier == Tier.STORE_STAFF
    SpecialCaseTrigger.objects.create(category="media", phrase="虎扑")
    ticket = open_ticket(chain["stores"]["SH001"], description="我要发到虎扑上")
    assert fresh(ticket).escalation_tier == Tier.CS_DEPARTMENT
    SpecialCaseTrigger.objects.filter(phrase="虎扑").update(is_active=False)
    selectors.clear_caches()
    ticket = open_ticket(chain["stores"]["SH001"], description="我要发到虎扑上")
    assert fresh(ticket).escalation_tier == Tier.STORE_STAFF


def test_escalating_to_the_cs_department_moves_holder_clocks_to_its_calendar(
    chain, users, office_store
):
    # Complaint clocks follow the holder: the store's office hours, then the hotline's.
    with time_machine.travel(at(2026, 9, 30, 17), tick=False):
        ticket = open_ticket(office_store, type="complaint")
    with time_machine.travel(at(2026, 9, 30, 17, 30), tick=False):
        tickets.escalate(
            actor=users["manager_sh001"],
            ticket=ticket,
            reason="需要客服部协调",
            to_tier=Tier.CS_DEPARTMENT,
        )
    c = clock(ticket, "first_response")
    assert c.calendar == "hotline"
    # 3.5 h were left; the hotline opens 08:00-22:00 every day, holidays included.
    assert c.due_at == at(2026, 9, 30, 21)
